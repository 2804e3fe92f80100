import type { AnyAction } from '../define.js'
import list from './list.js'

const actions: AnyAction[] = [list]

export default actions
