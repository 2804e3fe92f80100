import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** A record of a ckanapi dump (JSON lines), as the corpus in ../shared/data holds them. */
export type Dict = Record<string, any>

type Call = (name: string, body?: Dict) => Promise<unknown>

/**
 * The corpus a benchmark loads, named by CORPUS_FILE (the full Datos Argentina dump; the repository
 * carries only the tests' sample). Missing or unset: a clear message and exit 1, never a silent skip.
 */
export function benchCorpusFile(): string {
  const file = process.env.CORPUS_FILE
  const why = !file ? 'CORPUS_FILE is not set' : !existsSync(file) ? `CORPUS_FILE=${file}: no such file` : null
  if (why) {
    console.error(
      `${why}. Benchmarks load a ckanapi dump (JSON lines, one package dict per line), e.g. one made with 'ckanapi dump datasets --all -r URL -O datasets.jsonl':\n  CORPUS_FILE=datasets.jsonl npm run bench\n(test/fixtures/datos-gob-ar-sample.jsonl, 200 of its datasets, works for a quick run).`,
    )
    process.exit(1)
  }
  return path.resolve(file!)
}

export function readCorpus(file: string): Dict[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Dict)
}

/** What a client sends: the dump record without ids (not UUIDs in this corpus) and computed keys. */
export function toCreate(rec: Dict): Dict {
  const { id: _id, num_resources: _n, num_tags: _t, organization: _o, license_title: _l, metadata_created: _c, ...rest } = rec
  return {
    ...rest,
    resources: rec.resources.map(({ id: _rid, package_id: _p, position: _pos, state: _s, ...r }: Dict) => r),
  }
}

/** Creates the organizations and groups the records refer to. */
export async function loadCorpusGroups(call: Call, records: Dict[]): Promise<void> {
  const orgs = new Map<string, Dict>()
  const groups = new Map<string, Dict>()
  for (const r of records) {
    orgs.set(r.organization.name, r.organization)
    for (const g of r.groups ?? []) groups.set(g.name, g)
  }
  for (const o of orgs.values()) await call('organization_create', { name: o.name, title: o.title, description: o.description ?? '' })
  for (const g of groups.values()) await call('group_create', { name: g.name, title: g.title, description: g.description ?? '' })
}

/** Creates the corpus' organizations and groups, then its datasets (owner_org kept by name). */
export async function loadCorpus(call: Call, records: Dict[]): Promise<void> {
  await loadCorpusGroups(call, records)
  for (const rec of records) await call('package_create', toCreate(rec))
}
