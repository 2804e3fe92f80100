import type { AnyAction } from '../define.js'
import sourceCreate from './source-create.js'
import { sourcePatch, sourceUpdate } from './source-update.js'
import sourceDelete from './source-delete.js'
import { sourceShow, sourceShowStatus } from './source-show.js'
import sourceList from './source-list.js'
import { sourceClear, sourceJobHistoryClear, sourceReindex } from './source-clear.js'
import harvestersInfo from './harvesters-info.js'
import jobCreate from './job-create.js'
import jobList from './job-list.js'
import { jobReportAction, jobShow } from './job-show.js'
import jobAbort from './job-abort.js'
import jobsRun from './jobs-run.js'
import objectShow from './object-show.js'

const actions: AnyAction[] = [
  sourceCreate,
  sourceUpdate,
  sourcePatch,
  sourceDelete,
  sourceShow,
  sourceShowStatus,
  sourceList,
  sourceClear,
  sourceJobHistoryClear,
  sourceReindex,
  harvestersInfo,
  jobCreate,
  jobList,
  jobShow,
  jobReportAction,
  jobAbort,
  jobsRun,
  objectShow,
]

export default actions
