import type { AnyAction } from '../define.js'
import show from './show.js'
import list from './list.js'
import currentList from './current-list.js'
import create from './create.js'
import update from './update.js'
import patch from './patch.js'
import revise from './revise.js'
import del from './delete.js'
import { datasetPurge, packagePurge } from './purge.js'
import ownerOrgUpdate from './owner-org-update.js'
import resourceReorder from './resource-reorder.js'
import { bulkUpdateDelete, bulkUpdatePrivate, bulkUpdatePublic } from './bulk.js'
import search from './search.js'
import autocomplete from './autocomplete.js'

const actions: AnyAction[] = [show, list, currentList, create, update, patch, revise, del, datasetPurge, packagePurge, ownerOrgUpdate, resourceReorder, bulkUpdatePrivate, bulkUpdatePublic, bulkUpdateDelete, search, autocomplete]

export default actions
