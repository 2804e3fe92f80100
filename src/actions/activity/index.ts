import type { AnyAction } from '../define.js'
import packageList from './package-list.js'
import recentlyChanged from './recently-changed.js'

const actions: AnyAction[] = [packageList, recentlyChanged]

export default actions
