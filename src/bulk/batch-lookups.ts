import { sql, type Kysely } from 'kysely'
import type { Database, PackageRow } from '../db/schema.js'
import type { PackageLookups } from '../model/package-validate.js'
import type { OwnerRegistry } from './owners.js'

type Dict = Record<string, unknown>

/** The database facts of one batch, read in three queries instead of several per dataset. */
export interface BatchFacts {
  lookups: PackageLookups
  /** The dataset a line replaces: same id, else same name (ckanapi load's package_show by id, then name). */
  existing(data: Dict): PackageRow | undefined
}

const strings = (values: unknown[]): string[] => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))]

/**
 * Reads, inside the batch's transaction, every dataset the batch's ids and names could hit (locked
 * for update, as package_update locks its dataset) and every resource its resource ids could clash
 * with. Lines of one batch never share an id or a name (the loader cuts the batch before).
 */
export async function prefetchBatch(db: Kysely<Database>, records: Dict[], owners: OwnerRegistry, vocabularies: Map<string, string>): Promise<BatchFacts> {
  const ids = strings(records.map((r) => r.id))
  const names = strings(records.map((r) => r.name))
  const resourceIds = strings(records.flatMap((r) => (Array.isArray(r.resources) ? r.resources.map((x) => (x !== null && typeof x === 'object' ? (x as Dict).id : undefined)) : [])))
  const packages =
    ids.length + names.length === 0
      ? []
      : await db
          .selectFrom('package')
          .selectAll()
          .where((eb) => eb.or([eb('id', '=', sql<string>`ANY(${ids}::text[])`), eb('name', '=', sql<string>`ANY(${names}::text[])`)]))
          .orderBy('id')
          .forUpdate()
          .execute()
  const byId = new Map(packages.map((p) => [p.id, p]))
  const byName = new Map(packages.map((p) => [p.name, p]))
  const resources =
    resourceIds.length === 0
      ? []
      : await db
          .selectFrom('resource')
          .select(['id', 'package_id'])
          .where('id', '=', sql<string>`ANY(${resourceIds}::text[])`)
          .execute()
  const resourceOwner = new Map(resources.map((r) => [r.id, r.package_id]))

  const lookups: PackageLookups = {
    packageIdExists: async (id) => byId.has(id),
    nameInUse: async (name, exceptId) => {
      const row = byName.get(name)
      return row !== undefined && row.state !== 'deleted' && row.id !== exceptId
    },
    group: async (idOrName) => owners.find(idOrName),
    vocabularyId: async (idOrName) => vocabularies.get(idOrName) ?? null,
    takenResourceIds: async (rids, exceptPackageId) => new Set(rids.filter((id) => resourceOwner.has(id) && resourceOwner.get(id) !== exceptPackageId)),
  }
  return {
    lookups,
    existing: (data) => (typeof data.id === 'string' ? byId.get(data.id) : undefined) ?? (typeof data.name === 'string' ? byName.get(data.name) : undefined),
  }
}

/** Vocabulary ids by id and by name (a handful of rows). */
export async function loadVocabularies(db: Kysely<Database>): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const v of await db.selectFrom('vocabulary').select(['id', 'name']).execute()) {
    out.set(v.name, v.id)
    out.set(v.id, v.id)
  }
  return out
}
