import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Timestamps travel as CKAN-formatted strings ("2024-05-02T10:11:12.123456"), see db/connect.ts. */
type Timestamp = string
type Json<T> = ColumnType<T, string, string>
/** A JSON column with a database default: optional on insert. */
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>

export interface KeyValue {
  key: string
  value: string
}

export interface UserTable {
  id: string
  name: string
  fullname: string | null
  email: string | null
  password_hash: string | null
  about: string | null
  image_url: string | null
  sysadmin: Generated<boolean>
  state: Generated<string>
  created: Timestamp
  last_active: Timestamp | null
  plugin_extras: Json<Record<string, unknown>> | null
  /** migrations/0003_users_tokens */
  activity_streams_email_notifications: Generated<boolean>
}

export interface ApiTokenTable {
  id: string
  user_id: string
  name: string
  token_hash: string
  created_at: Timestamp
  last_access: Timestamp | null
  expires_at: Timestamp | null
  revoked_at: Timestamp | null
}

export interface GroupTable {
  id: string
  name: string
  title: Generated<string>
  description: Generated<string>
  image_url: Generated<string>
  type: string
  is_organization: boolean
  approval_status: Generated<string>
  state: Generated<string>
  created: Timestamp
  extras: JsonWithDefault<KeyValue[]>
}

export interface PackageTable {
  id: string
  name: string
  title: string | null
  notes: string | null
  url: string | null
  version: string | null
  author: string | null
  author_email: string | null
  maintainer: string | null
  maintainer_email: string | null
  license_id: string | null
  owner_org: string | null
  private: Generated<boolean>
  state: Generated<string>
  type: Generated<string>
  creator_user_id: string | null
  metadata_created: Timestamp
  metadata_modified: Timestamp
  extras: JsonWithDefault<KeyValue[]>
  plugin_data: Json<Record<string, unknown>> | null
}

export interface ResourceTable {
  id: string
  package_id: string
  position: number
  url: Generated<string>
  format: Generated<string>
  description: string | null
  name: string | null
  hash: Generated<string>
  mimetype: string | null
  mimetype_inner: string | null
  size: ColumnType<number | null, number | null, number | null>
  resource_type: string | null
  url_type: string | null
  cache_url: string | null
  cache_last_updated: Timestamp | null
  created: Timestamp
  last_modified: Timestamp | null
  metadata_modified: Timestamp
  state: Generated<string>
  extras: JsonWithDefault<Record<string, unknown>>
}

export interface VocabularyTable {
  id: string
  name: string
}

export interface TagTable {
  id: string
  name: string
  vocabulary_id: string | null
}

export interface PackageTagTable {
  package_id: string
  tag_id: string
  state: Generated<string>
}

export interface MemberTable {
  id: string
  group_id: string
  table_name: 'package' | 'user' | 'group'
  table_id: string
  capacity: string
  state: Generated<string>
}

/** A dataset collaborator (CKAN's package_member). */
export interface PackageMemberTable {
  package_id: string
  user_id: string
  capacity: string
  modified: Timestamp
}

/** The harvest settings of a dataset of type `harvest` (same id); the rest lives on its package row. */
export interface HarvestSourceTable {
  id: string
  url: string
  type: string
  config: string | null
  frequency: Generated<string>
  next_run: Timestamp | null
  user_id: string | null
  created: Timestamp
  watermark: Timestamp | null
  /** position in the remote's change feed after the last error-free job (migrations/0009) */
  feed_cursor: string | null
}

export type HarvestJobStatus = 'New' | 'Running' | 'Finished' | 'Aborted'

export interface HarvestJobTable {
  id: string
  source_id: string
  created: Timestamp
  gather_started: Timestamp | null
  gather_finished: Timestamp | null
  finished: Timestamp | null
  status: Generated<HarvestJobStatus>
  mode: string | null
  /** the remote feed position this job's listing is complete up to; the source takes it if the job ends error-free */
  feed_cursor: string | null
}

export type HarvestObjectState = 'WAITING' | 'FETCH' | 'IMPORT' | 'COMPLETE' | 'ERROR'
export type HarvestReportStatus = 'added' | 'updated' | 'not modified' | 'deleted' | 'errored'

export interface HarvestObjectTable {
  id: string
  guid: string
  current: Generated<boolean>
  gathered: Timestamp
  fetch_started: Timestamp | null
  fetch_finished: Timestamp | null
  import_started: Timestamp | null
  import_finished: Timestamp | null
  content: string | null
  content_hash: string | null
  state: Generated<HarvestObjectState>
  report_status: HarvestReportStatus | null
  metadata_modified_date: Timestamp | null
  retry_times: Generated<number>
  harvest_job_id: string
  harvest_source_id: string
  package_id: string | null
  /** harvester scratch data (CKAN's harvest_object_extra rows), e.g. {"status": "new" | "change" | "delete"} */
  extras: Generated<Record<string, string>>
}

export interface HarvestObjectErrorTable {
  id: string
  harvest_object_id: string
  message: string
  stage: string | null
  line: number | null
  created: Timestamp
}

export interface HarvestGatherErrorTable {
  id: string
  harvest_job_id: string
  message: string
  created: Timestamp
}

/** migrations/0008_activity: CKAN's activity row; `data` is JSON text, `seq` only orders equal timestamps. */
export interface ActivityTable {
  id: string
  timestamp: Timestamp
  user_id: string
  object_id: string
  activity_type: string
  data: JsonWithDefault<Record<string, unknown>>
  permission_labels: string[] | null
  seq: Generated<string>
}

/** user_following_user / _dataset / _group */
export interface FollowingTable {
  follower_id: string
  object_id: string
  datetime: Timestamp
}

export interface DashboardTable {
  user_id: string
  activity_stream_last_viewed: Timestamp
  email_last_sent: Timestamp
}

export type PackageChangeType = 'created' | 'updated' | 'deleted' | 'hidden'

/** Written by triggers only (migrations/0008_activity); `seq` is given by abierto_stamp_changes(). */
export interface PackageChangeTable {
  xid: Generated<string>
  package_id: string
  name: string
  change: PackageChangeType
  metadata_modified: Timestamp | null
  was_visible: boolean
  seq: string | null
}

export type DatastoreLoadStatus = 'pending' | 'running' | 'complete' | 'error'

/** migrations/0010_datastore: the automatic loader's state per resource (xloader_status). */
export interface DatastoreLoadTable {
  resource_id: string
  job_id: string
  status: DatastoreLoadStatus
  /** `{message: ...}` as xloader reports it; null unless status is error */
  error: ColumnType<Record<string, unknown> | null, string | null, string | null>
  /** [{timestamp, level, message}] oldest first */
  logs: JsonWithDefault<{ timestamp: string; level: string; message: string }[]>
  url: string | null
  file_hash: string | null
  created: Timestamp
  last_updated: Timestamp
}

/** migrations/0010_datastore: CKAN's resource_view; `config` holds the view type's own keys. */
export interface ResourceViewTable {
  id: string
  resource_id: string
  title: string | null
  description: string | null
  view_type: string
  order: number
  config: JsonWithDefault<Record<string, unknown>>
}

export interface Database {
  user: UserTable
  api_token: ApiTokenTable
  group: GroupTable
  package: PackageTable
  resource: ResourceTable
  vocabulary: VocabularyTable
  tag: TagTable
  package_tag: PackageTagTable
  member: MemberTable
  package_member: PackageMemberTable
  harvest_source: HarvestSourceTable
  harvest_job: HarvestJobTable
  harvest_object: HarvestObjectTable
  harvest_object_error: HarvestObjectErrorTable
  harvest_gather_error: HarvestGatherErrorTable
  activity: ActivityTable
  user_following_user: FollowingTable
  user_following_dataset: FollowingTable
  user_following_group: FollowingTable
  dashboard: DashboardTable
  package_change: PackageChangeTable
  datastore_load: DatastoreLoadTable
  resource_view: ResourceViewTable
}

export type UserRow = Selectable<UserTable>
export type ActivityRow = Selectable<ActivityTable>
export type GroupRow = Selectable<GroupTable>
export type PackageRow = Selectable<PackageTable>
export type ResourceRow = Selectable<ResourceTable>
export type HarvestSourceRow = Selectable<HarvestSourceTable>
export type HarvestJobRow = Selectable<HarvestJobTable>
export type HarvestObjectRow = Selectable<HarvestObjectTable>
export type NewPackage = Insertable<PackageTable>
export type PackageUpdate = Updateable<PackageTable>
