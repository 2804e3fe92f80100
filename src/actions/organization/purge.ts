import { purgeAction } from '../group/purge.js'
import { ORGANIZATION } from '../group/kind.js'

export default purgeAction(ORGANIZATION)
