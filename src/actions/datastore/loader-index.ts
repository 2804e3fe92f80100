import type { AnyAction } from '../define.js'
import { datapusherSubmit, xloaderSubmit } from './xloader-submit.js'
import { datapusherStatus, xloaderStatus } from './xloader-status.js'

/** The automatic loader's actions (xloader's names, DataPusher's as aliases). */
const actions: AnyAction[] = [xloaderSubmit, xloaderStatus, datapusherSubmit, datapusherStatus]
export default actions
