import type { AnyAction } from '../define.js'
import create from './create.js'
import update from './update.js'
import del from './delete.js'
import show from './show.js'
import list from './list.js'
import reorder from './reorder.js'
import clear from './clear.js'
import { packageCreateDefaultViews, resourceCreateDefaultViews } from './create-defaults.js'

const actions: AnyAction[] = [create, update, del, show, list, reorder, clear, resourceCreateDefaultViews, packageCreateDefaultViews]

export default actions
