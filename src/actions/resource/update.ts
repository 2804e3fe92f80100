import { defineAction, type AnyAction } from '../define.js'
import { requireEditResource } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { resourcePackageId, reviseResources } from './write.js'

/**
 * resource_update replaces the resource's dict (datastore_active carried over); resource_patch
 * merges the input into the current dict first. Both keep the resource's position.
 */
function resourceWrite(name: 'resource_update' | 'resource_patch'): AnyAction {
  const patch = name === 'resource_patch'
  return defineAction({
    name,
    description: patch
      ? 'Update only the given keys of a resource (current dict shallowly merged with the input). Returns the resource dict.'
      : 'Update a resource: the dict given replaces the stored one (url, description and other omitted fields are cleared; datastore_active is kept). Returns the resource dict.',
    sideEffectFree: false,
    params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' }, url: {}, name: {}, description: {}, format: {} } },
    auth: (ctx, p) => requireEditResource(ctx, p.id, 'edit'),
    handler: async (ctx, p) => {
      const input = p as Record<string, unknown> & { id: string }
      const packageId = await resourcePackageId(ctx, input.id)
      const { resource } = await reviseResources(ctx, packageId, (resources) => {
        const index = resources.findIndex((r) => r.id === input.id)
        if (index < 0) throw new NotFound('Resource was not found.')
        const old = resources[index]
        const next: Record<string, unknown> = patch ? { ...old, ...input } : { ...input }
        if (!patch && !('datastore_active' in input) && 'datastore_active' in old) next.datastore_active = old.datastore_active
        resources[index] = next
        return { resources, index }
      })
      return resource
    },
  })
}

export const resourceUpdate = resourceWrite('resource_update')
export const resourcePatch = resourceWrite('resource_patch')
