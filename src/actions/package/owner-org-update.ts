import { defineAction } from '../define.js'
import { requireSysadmin } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { findPackageRow } from '../../model/package-save.js'
import { nowIso } from '../../model/time.js'

export default defineAction({
  name: 'package_owner_org_update',
  description: 'Move a dataset to another organization (organization_id: id or name; empty makes it unowned when unowned datasets are allowed). Returns null.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { id: { type: 'string', minLength: 1 }, organization_id: { type: ['string', 'null'] } },
  },
  auth: requireSysadmin('edit package'),
  handler: async (ctx, p) => {
    await ctx.transaction(async (tx) => {
      const row = await findPackageRow(tx.db, p.id, true)
      if (!row) throw new NotFound('Package was not found.')
      let orgId: string | null = null
      if (p.organization_id) {
        const org = await tx.db
          .selectFrom('group')
          .select('id')
          .where('is_organization', '=', true)
          .where('state', '!=', 'deleted')
          .where((eb) => eb.or([eb('id', '=', p.organization_id!), eb('name', '=', p.organization_id!)]))
          .executeTakeFirst()
        if (!org) throw new NotFound('Organization was not found.')
        orgId = org.id
      } else if (!tx.config.createUnownedDataset) {
        throw new NotFound('Organization was not found.')
      }
      if (orgId === row.owner_org) return
      await tx.db
        .updateTable('package')
        .set({ owner_org: orgId, metadata_modified: nowIso(), ...(orgId === null ? { private: false } : {}) })
        .where('id', '=', row.id)
        .execute()
    })
    return null
  },
})
