import type { AnyAction } from '../define.js'
import datasetShow from './dataset-show.js'
import catalogShow from './catalog-show.js'
import catalogSearch from './catalog-search.js'

const actions: AnyAction[] = [datasetShow, catalogShow, catalogSearch]

export default actions
