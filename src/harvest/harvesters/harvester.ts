import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { OutboundPolicy } from '../../net/outbound.js'

/** What a harvester sees of its source. */
export interface SourceInfo {
  id: string
  name: string
  title: string
  url: string
  type: string
  config: Record<string, unknown>
  owner_org: string | null
  /** gather_started of the last error-free job: incremental harvests list changes since (minus an overlap) */
  watermark: string | null
  /** the remote change feed's position after the last error-free job (Abierto remotes); absent: none */
  feedCursor?: string | null
}

/** One remote record found by the gather stage; becomes a harvest_object. */
export interface GatheredRecord {
  guid: string
  /** the record's own source text: its hash decides "not modified" */
  content: string
  /** what to hash instead, when equal records can differ in text (RDF blank node labels) */
  hash?: string
}

export interface GatherSink {
  /** Stores a page of records as objects and schedules their import. */
  add(records: GatheredRecord[]): Promise<void>
  /** A problem that does not end the gather (a bad page, a skipped record): recorded on the job. */
  error(message: string): Promise<void>
}

export interface GatherResult {
  /** incremental or full listing */
  mode: 'full' | 'incremental'
  /**
   * Every guid that exists at the source, when the listing is known to be complete (a full run
   * without errors, or an incremental run plus a complete id listing). Current datasets of the
   * source missing from it are deleted. null: deletions cannot be inferred this time.
   */
  present: Set<string> | null
  /**
   * Guids the source says are gone (deleted, or no longer public) since the last run, when the
   * listing was a change feed rather than a full one: their current datasets are deleted.
   */
  gone?: Set<string>
  /** The source's change-feed position this listing is complete up to, stored for the next run. */
  cursor?: string | null
}

/** What importing one object needs besides the object. */
export interface PrepareContext {
  source: SourceInfo
  db: Kysely<Database>
  jobId: string
  objectId: string
  /** the addresses remote reads may reach */
  policy: OutboundPolicy
  /** the local dataset this record updates, if any */
  existing: Record<string, unknown> | null
  /** runs an action as the harvest user, inside the import's transaction */
  call<R = unknown>(name: string, params: Record<string, unknown>): Promise<R>
  /**
   * runs an action as the harvest user in its own transaction, committed at once: for shared
   * things several imports may create at the same time (organizations, groups), where a lost race
   * must not abort the import's transaction
   */
  callOutside<R = unknown>(name: string, params: Record<string, unknown>): Promise<R>
  /** shared by the records imported together (one batch): remembers lookups of shared things, such as local organizations */
  batchMemo?: Map<string, unknown>
}

export interface PreparedDataset {
  /** package_create/update input, without name/owner_org when the pipeline should pick them */
  dict: Record<string, unknown>
  /** the local id to use when creating (the CKAN harvester keeps the remote id) */
  id?: string
  /** base for a new dataset's name (munged; made unique by the pipeline) */
  name: string
}

/** ckanext-harvest's IHarvester.info(); `name` is the source_type sources store. */
export interface HarvesterInfo {
  name: string
  title: string
  description: string
  form_config_interface: 'Text'
}

export interface Harvester {
  info: HarvesterInfo
  /** `policy`: the addresses its remote reads may reach (pass it to getText/getJson) */
  gather(source: SourceInfo, sink: GatherSink, signal: AbortSignal, policy: OutboundPolicy): Promise<GatherResult>
  prepare(ctx: PrepareContext, record: GatheredRecord): Promise<PreparedDataset>
}
