import { defineAction } from '../define.js'
import { requireEditPackage } from '../../auth/authz.js'
import { reviseResources } from './write.js'
import { applyUpload, takeUpload } from './upload.js'
import { addViewsToResource } from '../../resource-views/default-views.js'

export default defineAction({
  name: 'resource_create',
  description:
    'Append a resource to a dataset and return the new resource dict.\n\nParams: package_id (dataset id or name; required), url (a link; defaults to ""), upload (a file, in a multipart/form-data request: stored, and url becomes its download URL), name, description, format (guessed from the URL when empty), mimetype, size, hash, created, last_modified, and any extra keys (kept and returned as given).',
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
      upload: { description: 'the file (multipart/form-data only)' },
    },
  },
  auth: async (ctx, p) => void (await requireEditPackage(ctx, p.package_id, (user) => `User ${user} not authorized to create resources on dataset ${p.package_id}`)),
  handler: async (ctx, p) => {
    const { package_id, ...resource } = p as Record<string, unknown> & { package_id: string }
    const { upload } = takeUpload(resource)
    if (upload) {
      applyUpload(resource, upload)
      // the id the file was staged for: on S3 it is already in place, no copy needed
      if (resource.id === undefined || resource.id === null || resource.id === '') resource.id = upload.suggestedId
    }
    const { resource: created } = await reviseResources(ctx, package_id, (resources) => {
      resources.push(resource)
      return { resources, index: resources.length - 1 }
    })
    // CKAN's default views (an image gets its image_view), created after the resource as CKAN does
    if (created) await addViewsToResource(ctx, created, { datastore: false, authorize: false })
    // the row is committed: only now does the file take its final place
    if (upload && created) await upload.promote(created.id as string)
    return created
  },
})
