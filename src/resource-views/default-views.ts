import type { ActionContext } from '../actions/context.js'
import { createResourceView } from './create.js'
import { listViews, type ViewDict } from './store.js'
import { defaultViewTypes } from './view-types.js'

/**
 * CKAN's ckan.views.default_views (config.defaultViews): each default type that can show the
 * resource gets one view, unless the resource already has one of that type. Types needing the
 * DataStore (datatables_view) are created only when `datastore` is true, which is how the loader
 * asks once the rows are in; the others when a resource is created or changes format.
 */
export interface DefaultViewOptions {
  datastore: boolean
  /** check the caller's right to add views (the API actions); false for the system's own calls */
  authorize: boolean
}

export async function addViewsToResource(ctx: ActionContext, resource: Record<string, unknown>, opts: DefaultViewOptions): Promise<ViewDict[]> {
  const types = defaultViewTypes(ctx.config.defaultViews, opts.datastore)
  if (types.length === 0 || typeof resource.id !== 'string') return []
  const existing = new Set((await listViews(ctx.db, resource.id)).map((v) => v.view_type))
  const created: ViewDict[] = []
  for (const type of types) {
    if (existing.has(type.name) || !type.canView(resource)) continue
    created.push(await createResourceView(ctx, { resource_id: resource.id, view_type: type.name, title: type.defaultTitle, description: '' }, { authorize: opts.authorize, system: !opts.authorize }))
  }
  return created
}

export async function addViewsToDatasetResources(ctx: ActionContext, dataset: Record<string, unknown>, opts: DefaultViewOptions): Promise<ViewDict[]> {
  const created: ViewDict[] = []
  const resources = Array.isArray(dataset.resources) ? (dataset.resources as unknown[]) : []
  for (const r of resources) if (r && typeof r === 'object') created.push(...(await addViewsToResource(ctx, r as Record<string, unknown>, opts)))
  return created
}
