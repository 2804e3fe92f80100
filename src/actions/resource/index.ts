import type { AnyAction } from '../define.js'
import show from './show.js'
import create from './create.js'
import { resourceUpdate, resourcePatch } from './update.js'
import del from './delete.js'
import search from './search.js'
import formatAutocomplete from './format-autocomplete.js'

const actions: AnyAction[] = [show, create, resourceUpdate, resourcePatch, del, search, formatAutocomplete]

export default actions
