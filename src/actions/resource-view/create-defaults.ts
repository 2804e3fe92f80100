import { defineAction } from '../define.js'
import { requireEditPackage } from '../../auth/authz.js'
import { NotFound, ValidationError } from '../../errors.js'
import { requireCreateOn, resourceOwner } from '../../resource-views/create.js'
import { addViewsToDatasetResources, addViewsToResource } from '../../resource-views/default-views.js'

export const resourceCreateDefaultViews = defineAction({
  name: 'resource_create_default_resource_views',
  description:
    "Create the default views (DEFAULT_VIEWS, CKAN's ckan.views.default_views) a resource lacks and can show. Params: resource (the resource dict, required), package (the dataset dict, optional), create_datastore_views (default false: only views that do not need the DataStore; true: only those that do, e.g. datatables_view once the rows are loaded). Returns the views created.",
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['resource'],
    additionalProperties: true,
    properties: { resource: { type: 'object' }, package: { type: 'object' }, create_datastore_views: { type: 'boolean', default: false } },
  },
  auth: async (ctx, p) => {
    const id = (p.resource as Record<string, unknown>).id
    if (typeof id !== 'string' || id === '') throw new NotFound('No dataset id provided, cannot check auth.')
    const packageId = await resourceOwner(ctx, id)
    if (!packageId) throw new NotFound()
    await requireCreateOn(ctx, packageId)
  },
  handler: async (ctx, p) => ctx.transaction((tx) => addViewsToResource(tx, p.resource as Record<string, unknown>, { datastore: p.create_datastore_views === true, authorize: true })),
})

export const packageCreateDefaultViews = defineAction({
  name: 'package_create_default_resource_views',
  description:
    'Create the default views (DEFAULT_VIEWS) on every resource of a dataset. Params: package (the dataset dict as package_show returns it, required), create_datastore_views (default false; true: only the views that need the DataStore). Returns the views created.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['package'],
    additionalProperties: true,
    properties: { package: { type: 'object' }, create_datastore_views: { type: 'boolean', default: false } },
  },
  auth: async (ctx, p) => {
    const id = (p.package as Record<string, unknown>).id
    if (typeof id !== 'string' || id === '') throw new ValidationError({ message: 'Missing id, can not get Package object' })
    await requireEditPackage(ctx, id, undefined, null)
  },
  handler: async (ctx, p) => ctx.transaction((tx) => addViewsToDatasetResources(tx, p.package as Record<string, unknown>, { datastore: p.create_datastore_views === true, authorize: true })),
})
