import type { AnyAction } from '../define.js'
import create from './create.js'
import del from './delete.js'

const actions: AnyAction[] = [create, del]

export default actions
