import { defineAction } from '../define.js'
import { requireEditPackage } from '../../auth/authz.js'
import { ValidationError } from '../../errors.js'
import { findDatastoreResource, requireWriteResource } from '../../datastore/access.js'
import { analyzeTable, defineTable, type FieldSpec } from '../../datastore/write.js'
import { isValidAliasName, toList } from '../../datastore/types.js'
import { checkListParam, echo, requireWritable, resourceIdOf, TARGET_PARAMS } from './write-params.js'

/** A DataStore-only resource stores this url; resource dicts show its dump URL instead (as CKAN). */
export const DATASTORE_ONLY_URL = '_datastore_only_resource'

export default defineAction({
  name: 'datastore_create',
  description: [
    "Create or alter a resource's DataStore table and append records to it (CKAN's datastore_create).",
    '',
    'Params: resource_id (or resource: a resource dict with package_id, created as a DataStore-only resource), fields ([{id, type, info}]; a missing type is guessed from the first record),',
    'records (objects appended), primary_key and indexes (list or comma-separated string; each replaces the previous), aliases (read-only names usable as resource_id in datastore_search),',
    'delete_fields (drop existing columns not in fields), force (write a table loaded from a file, which the next load replaces), calculate_record_count.',
    'Returns the input without records, with the guessed types in fields; the resource becomes datastore_active.',
  ].join('\n'),
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      ...TARGET_PARAMS,
      resource: { type: 'object', description: 'a resource to create (resource_create params, package_id required) instead of resource_id' },
      fields: {
        type: 'array',
        items: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 }, type: { type: 'string' }, info: {} } },
      },
      records: { type: 'array', description: 'objects, one per row' },
      primary_key: { description: 'list or comma-separated string of column names' },
      indexes: { description: 'list or comma-separated string; a list entry may be a list (a composite index)' },
      aliases: { description: 'list or comma-separated string' },
      delete_fields: { type: 'boolean', default: false },
      triggers: {
        type: 'array',
        description: 'not supported: Abierto has no datastore_function_create, so there is no trigger function to name',
        items: { type: 'object', required: ['function'], properties: { function: { type: 'string', minLength: 1 } } },
      },
      calculate_record_count: { type: 'boolean', default: false },
    },
  },
  auth: async (ctx, p) => {
    for (const key of ['primary_key', 'indexes', 'aliases'] as const) checkListParam(key, p[key])
    const resource = p.resource as Record<string, unknown> | undefined
    if (resource && typeof resource.package_id === 'string' && resource.package_id !== '') {
      const pkg = resource.package_id
      await requireEditPackage(ctx, pkg, (user) => `User ${user} not authorized to perform package_update on resource ${pkg}`)
      return
    }
    const id = resourceIdOf(p)
    if (id === undefined) return
    // CKAN's resource_id_exists validator, before any permission
    if (!(await findDatastoreResource(ctx, id))) throw new ValidationError({ resource_id: ['Not found: Resource'] })
    await requireWriteResource(ctx, id)
  },
  handler: async (ctx, p) => {
    const resource = p.resource as Record<string, unknown> | undefined
    const given = resourceIdOf(p)
    if (resource !== undefined && given !== undefined) throw new ValidationError({ resource: ['resource cannot be used with resource_id'] })
    if (resource === undefined && given === undefined) throw new ValidationError({ resource_id: ['resource_id or resource required'] })

    // CKAN runs functions made with datastore_function_create (sysadmins only); there are none here,
    // and the database's own functions are not for tables to call
    const trigger = (p.triggers ?? [])[0] as { function: string } | undefined
    if (trigger) throw new ValidationError({ triggers: [`function ${trigger.function}() does not exist`] })

    return ctx.transaction(async (tx) => {
      let resourceId: string
      const out = { ...p } as Record<string, unknown>
      if (resource !== undefined) {
        if (Object.hasOwn(resource, 'url')) {
          // a table made from a file is the loader's job (CKAN hands it to DataPusher and returns nothing)
          if (tx.actionHelp('xloader_submit') === undefined) throw new ValidationError({ resource: ['The datapusher has to be enabled.'] })
          const created = await tx.call<{ id: string }>('resource_create', resource)
          await tx.call('xloader_submit', { resource_id: created.id })
          return null
        }
        const created = await tx.call<{ id: string }>('resource_create', { ...resource, url: DATASTORE_ONLY_URL, url_type: 'datastore' })
        resourceId = created.id
        out.resource = { ...resource, url: DATASTORE_ONLY_URL }
      } else {
        resourceId = given!
        const res = await findDatastoreResource(tx, resourceId)
        if (!res || res.state !== 'active') throw new ValidationError({ resource_id: ['Not found: Resource'] })
        requireWritable(res, p.force)
        delete out.force
      }

      const aliases = (toList(p.aliases) ?? undefined) as string[] | undefined
      for (const alias of aliases ?? []) if (!isValidAliasName(alias)) throw new ValidationError({ alias: [`"${String(alias)}" is not a valid alias name`] })

      const fields: FieldSpec[] = (p.fields ?? []).map((f) => ({ ...(f as FieldSpec) }))
      await defineTable(tx.db, {
        resourceId,
        fields,
        records: p.records,
        primaryKey: toList(p.primary_key)?.map(String),
        indexes: toList(p.indexes),
        aliases,
        deleteFields: p.delete_fields === true,
      })
      if (p.calculate_record_count) await analyzeTable(tx.db, resourceId)

      delete out.records
      if (p.fields !== undefined) out.fields = fields
      // CKAN's create always reports its insert step
      return { ...echo(out, resourceId), method: 'insert' }
    })
  },
})
