import type { AnyAction } from '../define.js'
import packageList from './package-list.js'
import recentlyChanged from './recently-changed.js'
import { groupActivityListAction, organizationActivityList } from './group-lists.js'
import userList from './user-list.js'
import { activityDataShow, activityDiff, activityShow } from './show.js'
import create from './create.js'

const actions: AnyAction[] = [packageList, recentlyChanged, organizationActivityList, groupActivityListAction, userList, activityShow, activityDataShow, activityDiff, create]

export default actions
