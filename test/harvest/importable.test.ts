/**
 * The parsers' dicts are package_create input: every dataset parsed from the fixtures must be
 * accepted as is (plus the name and owner_org the pipeline adds) and come back from package_show
 * with its extras, tags, licence and resources.
 */
import t from 'tap'
import { testApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'
import { parseRdfPage } from '../../src/dcat/read/catalog.js'
import { parseDataJsonPage } from '../../src/dcat/data-json/read.js'
import { mungeTitleToName } from '../../src/harvest/harvesters/munge.js'
import type { HarvestedDataset } from '../../src/dcat/read/parsed.js'
import { fixture } from './fixtures.js'

const SOURCE = 'https://harvest.example.org/source'

t.test('parsed datasets from every fixture can be created and read back', async (t) => {
  const { ok, db } = await testApp(t)
  await insertGroup(db.kysely, 'harvested', { title: 'Harvested' })
  const parsed: HarvestedDataset[] = []
  for (const name of ['embalses.rdf', 'catalogo.rdf', 'piscinas.ttl', 'multilingue.ttl', 'catalog-page1.ttl', 'catalog-page2.ttl', 'catalog.jsonld', 'pod-energia.jsonld', 'grafo.jsonld']) {
    parsed.push(...(await parseRdfPage(fixture(name), { url: `https://x.example/${name}`, sourceUrl: SOURCE })).datasets)
  }
  for (const name of ['datajson-catalogo.json', 'pod-energia.jsonld']) parsed.push(...parseDataJsonPage(fixture(name), { sourceUrl: SOURCE }).datasets)
  t.equal(parsed.length, 14)

  const names = new Set<string>()
  for (const d of parsed) {
    let name = mungeTitleToName(d.dict.title as string)
    // same de-clashing as the harvester: a numeric suffix within the run
    for (let i = 1; names.has(name); i++) name = `${mungeTitleToName(d.dict.title as string)}-${i}`
    names.add(name)
    const created = await ok('package_create', { ...d.dict, name, owner_org: 'harvested' })
    const shown = await ok('package_show', { id: created.id })
    t.equal(shown.title, d.dict.title, `${d.guid}: title`)
    t.equal(shown.license_id || '', d.dict.license_id, `${d.guid}: license_id`)
    t.same(shown.tags.map((tag: { name: string }) => tag.name).sort(), (d.dict.tags as { name: string }[]).map((tag) => tag.name).sort(), `${d.guid}: tags`)
    const extras = new Map(shown.extras.map((e: { key: string; value: string }) => [e.key, e.value]))
    for (const e of d.dict.extras as { key: string; value: string }[]) t.equal(extras.get(e.key), e.value, `${d.guid}: extra ${e.key}`)
    t.equal(extras.get('guid'), d.guid)
    const resources = d.dict.resources as Record<string, unknown>[]
    t.equal(shown.resources.length, resources.length, `${d.guid}: resources`)
    resources.forEach((r, i) => {
      t.equal(shown.resources[i].url, r.url, `${d.guid}: resource ${i} url`)
      if (r.size !== undefined) t.equal(shown.resources[i].size, r.size, `${d.guid}: resource ${i} size`)
      if (r.format !== undefined) t.equal(shown.resources[i].format, r.format, `${d.guid}: resource ${i} format`)
    })
  }
})
