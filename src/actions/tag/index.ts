import type { AnyAction } from '../define.js'
import list from './list.js'
import show from './show.js'

const actions: AnyAction[] = [list, show]

export default actions
