import type { AnyAction } from '../define.js'
import since from './since.js'

const actions: AnyAction[] = [since]

export default actions
