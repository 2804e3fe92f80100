import { listAction } from '../group/list.js'
import { ORGANIZATION } from '../group/kind.js'

export default listAction(ORGANIZATION)
