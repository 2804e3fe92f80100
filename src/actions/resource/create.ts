import { defineAction } from '../define.js'
import { requireEditPackage } from '../../auth/authz.js'
import { reviseResources } from './write.js'

export default defineAction({
  name: 'resource_create',
  description: 'Append a resource to a dataset and return the new resource dict.\n\nParams: package_id (dataset id or name; required), url (a link; defaults to ""), name, description, format (guessed from the URL when empty), mimetype, size, hash, created, last_modified, and any extra keys (kept and returned as given).',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['package_id'],
    additionalProperties: true,
    properties: {
      package_id: { type: 'string' },
      url: {},
      name: {},
      description: {},
      format: {},
      mimetype: {},
      size: {},
      hash: {},
      resource_type: {},
    },
  },
  auth: async (ctx, p) => void (await requireEditPackage(ctx, p.package_id, (user) => `User ${user} not authorized to create resources on dataset ${p.package_id}`)),
  handler: async (ctx, p) => {
    const { package_id, ...resource } = p as Record<string, unknown> & { package_id: string }
    const { resource: created } = await reviseResources(ctx, package_id, (resources) => {
      resources.push(resource)
      return { resources, index: resources.length - 1 }
    })
    return created
  },
})
