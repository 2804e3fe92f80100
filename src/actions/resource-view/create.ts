import { defineAction } from '../define.js'
import { authorizeCreate, createResourceView } from '../../resource-views/create.js'
import { viewTypeNames } from '../../resource-views/view-types.js'

export default defineAction({
  name: 'resource_view_create',
  description: `Create a view of a resource and return its dict (the view's columns, its config keys at top level, and package_id).\n\nParams: resource_id (required), view_type (required: ${viewTypeNames().join(', ')}), title (required), description, the view type's own keys (image_view: image_url; webpage_view: page_url; datatables_view: responsive, ellipsis_length, date_format, show_fields, filterable; datatables_view and recline_view: filter_fields, filter_values), id (sysadmins only). Needs the right to add resources to the dataset.`,
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      resource_id: { type: 'string' },
      view_type: { type: 'string' },
      title: {},
      description: {},
      id: { description: 'sysadmins only: a UUID for the new view' },
    },
  },
  // CKAN validates first; here a caller without the right is refused before its input is judged
  auth: (ctx, p) => authorizeCreate(ctx, p.resource_id),
  handler: async (ctx, p) => createResourceView(ctx, p as Record<string, unknown>, { authorize: false, system: false }),
})
