import type { AnyAction } from '../define.js'
import list from './list.js'
import show from './show.js'
import search from './search.js'
import autocomplete from './autocomplete.js'

const actions: AnyAction[] = [list, show, search, autocomplete]

export default actions
