import type { AnyAction } from '../define.js'
import list from './list.js'
import show from './show.js'
import create from './create.js'
import update from './update.js'
import patch from './patch.js'
import del from './delete.js'
import purge from './purge.js'
import packageShow from './package-show.js'

const actions: AnyAction[] = [list, show, create, update, patch, del, purge, packageShow]

export default actions
