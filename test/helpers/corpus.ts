import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export type Dict = Record<string, any>

/** The real catalogue dump in ../shared/data (beside the repository), or CORPUS_FILE. */
export function corpusFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  return process.env.CORPUS_FILE ?? path.resolve(here, '../../../../shared/data/datos-gob-ar-datasets.jsonl')
}

export function corpusRecords(): Dict[] {
  return readFileSync(corpusFile(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

/** What a client sends: the dump record without ids (not UUIDs in this corpus) and computed keys. */
export function toCreate(rec: Dict): Dict {
  const { id: _id, num_resources: _n, num_tags: _t, organization: _o, license_title: _l, metadata_created: _c, ...rest } = rec
  return {
    ...rest,
    resources: rec.resources.map(({ id: _rid, package_id: _p, position: _pos, state: _s, ...r }: Dict) => r),
  }
}

type Ok = (name: string, body?: Dict) => Promise<any>

/** Creates the organizations and groups the records refer to. */
export async function loadCorpusGroups(ok: Ok, records: Dict[]): Promise<void> {
  const orgs = new Map<string, Dict>()
  const groups = new Map<string, Dict>()
  for (const r of records) {
    orgs.set(r.organization.name, r.organization)
    for (const g of r.groups) groups.set(g.name, g)
  }
  for (const o of orgs.values()) await ok('organization_create', { name: o.name, title: o.title, description: o.description })
  for (const g of groups.values()) await ok('group_create', { name: g.name, title: g.title, description: g.description })
}

/** Creates the corpus' organizations and groups, then its datasets (owner_org kept by name). */
export async function loadCorpus(ok: Ok, records: Dict[]): Promise<void> {
  await loadCorpusGroups(ok, records)
  for (const rec of records) await ok('package_create', toCreate(rec))
}
