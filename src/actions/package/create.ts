import { defineAction } from '../define.js'
import { requireCreatePackage } from '../../auth/authz.js'
import { createPackage } from './write.js'
import { datasetParams } from './schema.js'

export default defineAction({
  name: 'package_create',
  description:
    'Create a new dataset (package) and return its dict.\n\nParams: name (required, 2-100 chars of a-z0-9_-), title, owner_org (organization id or name; required), private, license_id, notes, url, version, author, author_email, maintainer, maintainer_email, state, type, resources, tags (or tag_string), extras, groups. Unknown keys are ignored.',
  sideEffectFree: false,
  params: datasetParams,
  auth: (ctx, p) => requireCreatePackage(ctx, p as Record<string, unknown>),
  handler: async (ctx, p) => createPackage(ctx, p as Record<string, unknown>),
})
