import type { AnyAction } from '../define.js'
import search from './search.js'

/** The DataStore's read actions (the lead merges this into the family's index). */
const datastoreReadActions: AnyAction[] = [search]
export default datastoreReadActions
