import { createAction } from '../group/create.js'
import { ORGANIZATION } from '../group/kind.js'

export default createAction(ORGANIZATION)
