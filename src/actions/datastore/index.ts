import type { AnyAction } from '../define.js'
import create from './create.js'
import upsert from './upsert.js'
import { datastoreDelete, datastoreRecordsDelete } from './delete.js'
import search from './search.js'
import info from './info.js'
import searchSql from './search-sql.js'
import { datapusherSubmit, xloaderSubmit } from './xloader-submit.js'
import { datapusherStatus, xloaderStatus } from './xloader-status.js'

/** ckanext-datastore's actions, and the automatic loader's (xloader's names, DataPusher's as aliases). */
const actions: AnyAction[] = [create, upsert, datastoreDelete, datastoreRecordsDelete, search, info, searchSql, xloaderSubmit, xloaderStatus, datapusherSubmit, datapusherStatus]
export default actions
