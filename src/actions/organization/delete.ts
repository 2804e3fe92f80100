import { deleteAction } from '../group/delete.js'
import { ORGANIZATION } from '../group/kind.js'

export default deleteAction(ORGANIZATION)
