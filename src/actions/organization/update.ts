import { updateAction } from '../group/update.js'
import { ORGANIZATION } from '../group/kind.js'

export default updateAction(ORGANIZATION)
