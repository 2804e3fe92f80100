import type { AnyAction } from '../define.js'
import create from './create.js'
import upsert from './upsert.js'
import { datastoreDelete, datastoreRecordsDelete } from './delete.js'

/** The DataStore's write actions (merged into the family index src/actions/datastore/index.ts). */
const actions: AnyAction[] = [create, upsert, datastoreDelete, datastoreRecordsDelete]

export default actions
