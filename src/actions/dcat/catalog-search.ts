import { defineAction } from '../define.js'
import { catalogPage } from '../../dcat/write/catalog.js'
import { catalogDescription, catalogParams } from './catalog-params.js'

/** ckanext-dcat keeps this name beside dcat_catalog_show; both run the same code. */
export default defineAction({
  name: 'dcat_catalog_search',
  description: catalogDescription('dcat_catalog_search'),
  sideEffectFree: true,
  params: catalogParams,
  auth: 'public',
  handler: (ctx, p) => catalogPage(ctx, p),
})
