import type { AnyAction } from '../define.js'
import show from './show.js'
import siteRead from './site-read.js'
import helpShow from './help-show.js'

const actions: AnyAction[] = [show, siteRead, helpShow]

export default actions
