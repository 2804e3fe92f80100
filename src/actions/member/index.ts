import type { AnyAction } from '../define.js'
import create from './create.js'
import del from './delete.js'
import { groupMemberCreate, groupMemberDelete, organizationMemberCreate, organizationMemberDelete } from './group-member.js'
import { groupListAuthz, memberList, memberRolesList, organizationListForUser } from './lists.js'

const actions: AnyAction[] = [create, del, organizationMemberCreate, organizationMemberDelete, groupMemberCreate, groupMemberDelete, memberList, memberRolesList, organizationListForUser, groupListAuthz]

export default actions
