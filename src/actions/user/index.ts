import type { AnyAction } from '../define.js'
import list from './list.js'
import show from './show.js'
import autocomplete from './autocomplete.js'
import create from './create.js'
import update from './update.js'
import patch from './patch.js'
import del from './delete.js'

const actions: AnyAction[] = [list, show, autocomplete, create, update, patch, del]

export default actions
