import { defineAction } from '../define.js'
import { requireCreatePackage } from '../../auth/authz.js'
import { userName } from '../context.js'
import { NotAuthorized } from '../../errors.js'
import { datasetParams } from '../package/schema.js'
import { writeSource } from '../../harvest/sources/source-write.js'

const params = {
  ...datasetParams,
  properties: { ...datasetParams.properties, source_type: {}, frequency: {}, config: {} },
} as const

export { params as sourceParams }

export default defineAction({
  name: 'harvest_source_create',
  description:
    'Create a harvest source: a dataset of type "harvest" plus its harvest settings. Returns the source as harvest_source_show does.\n\nParams: name, url (required; unique with the same config), source_type (required: ckan, dcat_rdf, dcat_json), title, notes, owner_org, private, frequency (MANUAL (default), MONTHLY, WEEKLY, BIWEEKLY, DAILY, ALWAYS), config (JSON text, checked by the harvester), plus other dataset fields.',
  sideEffectFree: false,
  params,
  auth: async (ctx, p) => {
    try {
      await requireCreatePackage(ctx, { ...(p as Record<string, unknown>), type: 'harvest' })
    } catch (err) {
      if (err instanceof NotAuthorized) throw new NotAuthorized(`User ${userName(ctx)} not authorized to create harvest sources`)
      throw err
    }
  },
  handler: async (ctx, p) => writeSource(ctx, p as Record<string, unknown>, 'create'),
})
