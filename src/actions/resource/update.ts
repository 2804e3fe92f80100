import { defineAction, type AnyAction } from '../define.js'
import { requireEditResource } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { resourcePackageId, reviseResources } from './write.js'
import { applyUpload, removeBlobs, takeUpload } from './upload.js'
import { addViewsToResource } from '../../resource-views/default-views.js'

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
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: {
        id: { type: 'string' },
        url: {},
        name: {},
        description: {},
        format: {},
        upload: { description: 'a new file (multipart/form-data only); the old one is removed once the update commits' },
        clear_upload: { description: 'true: the resource no longer has a file (its url becomes a link)' },
      },
    },
    auth: (ctx, p) => requireEditResource(ctx, p.id, 'edit'),
    handler: async (ctx, p) => {
      const input = { ...p } as Record<string, unknown> & { id: string }
      const { upload, clear } = takeUpload(input)
      const packageId = await resourcePackageId(ctx, input.id)
      let hadFile = false
      let oldFormat: unknown = null
      const { resource } = await reviseResources(ctx, packageId, (resources) => {
        const index = resources.findIndex((r) => r.id === input.id)
        if (index < 0) throw new NotFound('Resource was not found.')
        const old = resources[index]
        hadFile = old.url_type === 'upload'
        oldFormat = old.format
        const next: Record<string, unknown> = patch ? { ...old, ...input } : { ...input }
        if (!patch && !('datastore_active' in input) && 'datastore_active' in old) next.datastore_active = old.datastore_active
        if (upload) applyUpload(next, upload)
        else if (clear && (next.url_type ?? old.url_type) === 'upload') next.url_type = ''
        resources[index] = next
        return { resources, index }
      })
      // as CKAN: a resource whose format changed may now be shown by another default view
      if (resource && resource.format !== oldFormat) await addViewsToResource(ctx, resource, { datastore: false, authorize: false })
      // committed: the new file replaces the old one, or a resource turned into a link drops its file
      if (upload) await upload.promote(input.id)
      else if (hadFile && resource?.url_type !== 'upload') await removeBlobs(ctx, [input.id])
      return resource
    },
  })
}

export const resourceUpdate = resourceWrite('resource_update')
export const resourcePatch = resourceWrite('resource_patch')
