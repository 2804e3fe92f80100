import { defineAction } from '../define.js'
import { catalogPage } from '../../dcat/write/catalog.js'
import { catalogDescription, catalogParams } from './catalog-params.js'

export default defineAction({
  name: 'dcat_catalog_show',
  description: catalogDescription('dcat_catalog_show'),
  sideEffectFree: true,
  params: catalogParams,
  // the catalog only ever lists public datasets (package_search with include_private false)
  auth: 'public',
  handler: (ctx, p) => catalogPage(ctx, p),
})
