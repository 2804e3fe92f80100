import type { AnyAction } from '../define.js'
import create from './create.js'
import list from './list.js'
import revoke from './revoke.js'

const actions: AnyAction[] = [create, list, revoke]

export default actions
