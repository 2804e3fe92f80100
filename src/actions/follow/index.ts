import type { AnyAction } from '../define.js'
import { DATASET, GROUP, USER } from './kinds.js'
import { followAction, unfollowAction } from './follow.js'
import { followerActions } from './followers.js'
import { followeeActions } from './followee-actions.js'
import { dashboardActions } from './dashboard.js'

const actions: AnyAction[] = [...[USER, DATASET, GROUP].flatMap((k) => [followAction(k), unfollowAction(k)]), ...followerActions, ...followeeActions, ...dashboardActions]

export default actions
