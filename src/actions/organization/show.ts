import { showAction } from '../group/show.js'
import { ORGANIZATION } from '../group/kind.js'

export default showAction(ORGANIZATION)
