import type { AnyAction } from '../define.js'
import search from './search.js'
import info from './info.js'
import searchSql from './search-sql.js'

/** The DataStore's read actions (the lead merges this into the family's index). */
const datastoreReadActions: AnyAction[] = [search, info, searchSql]
export default datastoreReadActions
