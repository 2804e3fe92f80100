import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { databaseLookups, type PackageLookups } from '../../model/package-validate.js'

type Dict = Record<string, unknown>

const strings = (values: unknown[]): string[] => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))]

/**
 * The database facts validating a batch of harvested datasets needs, read in two queries instead
 * of several per dataset: the datasets their ids and names could hit, the resources their
 * resource ids could clash with. Organizations, groups and vocabularies (few, and created by
 * imports while the batch runs) are read on first use and remembered for the batch.
 */
export async function importLookups(db: Kysely<Database>, dicts: Dict[]): Promise<PackageLookups> {
  const ids = strings(dicts.map((d) => d.id))
  const names = strings(dicts.map((d) => d.name))
  const resourceIds = strings(dicts.flatMap((d) => (Array.isArray(d.resources) ? d.resources.map((r) => (r !== null && typeof r === 'object' ? (r as Dict).id : undefined)) : [])))
  const packages = ids.length + names.length === 0 ? [] : (await sql<{ id: string; name: string; state: string }>`SELECT id, name, state FROM package WHERE id = ANY(${ids}::text[]) OR name = ANY(${names}::text[])`.execute(db)).rows
  const knownIds = new Set(packages.map((p) => p.id))
  const resources = resourceIds.length ? (await sql<{ id: string; package_id: string }>`SELECT id, package_id FROM resource WHERE id = ANY(${resourceIds}::text[])`.execute(db)).rows : []
  const resourceOwner = new Map(resources.map((r) => [r.id, r.package_id]))
  const single = databaseLookups(db)
  const groups = new Map<string, ReturnType<PackageLookups['group']>>()
  const vocabularies = new Map<string, Promise<string | null>>()
  return {
    packageIdExists: async (id) => knownIds.has(id),
    nameInUse: async (name, exceptId) => packages.some((p) => p.name === name && p.state !== 'deleted' && p.id !== exceptId),
    group: (ref) => {
      if (!groups.has(ref)) groups.set(ref, single.group(ref))
      return groups.get(ref)!
    },
    vocabularyId: (ref) => {
      if (!vocabularies.has(ref)) vocabularies.set(ref, single.vocabularyId(ref))
      return vocabularies.get(ref)!
    },
    takenResourceIds: async (rids, exceptPackageId) => new Set(rids.filter((id) => resourceOwner.has(id) && resourceOwner.get(id) !== exceptPackageId)),
  }
}
