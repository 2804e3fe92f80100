import { patchAction } from '../group/patch.js'
import { ORGANIZATION } from '../group/kind.js'

export default patchAction(ORGANIZATION)
