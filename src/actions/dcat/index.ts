import type { AnyAction } from '../define.js'

const actions: AnyAction[] = []

export default actions
