import t from 'tap'
import http from 'node:http'
import { testApp } from '../helpers/app.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { serveLocally } from '../helpers/local-server.js'

/**
 * The dcat_rdf harvester against a fixed remote, case by case as ckanext-dcat's functional
 * harvester tests (tests/harvester/test_harvester.py): paging, a misconfigured server that
 * serves the same page again, updates that keep resource ids, deletions, unparsable files and
 * two datasets with one title.
 */

type Dict = Record<string, any>

const TTL = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
`

function dataset(id: string, title: string, more = ''): string {
  return `<https://lluvias.example.org/conjunto/${id}> a dcat:Dataset ; dct:title "${title}" ; dct:description "Registro ${id}"${more} .\n`
}

function pager(page: string, next: string | null): string {
  return `<${page}> a hydra:PagedCollection${next ? ` ; hydra:next "${next}"` : ''} .\n`
}

t.test('dcat_rdf harvests as ckanext-dcat’s functional tests expect', async (t) => {
  const files = new Map<string, { body: string; type: string }>()
  const server = http.createServer((req, res) => {
    const file = files.get(req.url ?? '')
    if (!file) {
      res.statusCode = 404
      res.end()
      return
    }
    res.setHeader('content-type', file.type)
    res.end(file.body)
  })
  const base = await serveLocally(t, server)
  const serve = (path: string, body: string, type = 'text/turtle') => files.set(path, { body, type })

  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const sources = new Map<string, string>()
  const run = async (name: string, path: string, config?: Dict) => {
    const source = sources.get(name) ?? (await createSource(b, { name, url: base + path, source_type: 'dcat_rdf', owner_org: 'espejo', ...(config ? { config: JSON.stringify(config) } : {}) }))
    sources.set(name, source)
    const job = await startJob(b, source)
    await b.app.harvest.runInline(job)
    return { source, report: await jobReport(b, job) }
  }
  const titlesOf = async (source: string) => {
    const found = await b.ok<Dict>('package_search', { fq: `harvest_source_id:${source}`, rows: 100 })
    return (found.results as Dict[]).map((d) => d.title).sort()
  }

  // test_harvest_create_rdf_pagination: hydra:next links (relative literals) are followed
  serve('/paginas/1.ttl', TTL + pager(`${base}/paginas/1.ttl`, '2.ttl') + dataset('p1', 'Lluvias 2021') + dataset('p2', 'Lluvias 2022'))
  serve('/paginas/2.ttl', TTL + pager(`${base}/paginas/2.ttl`, null) + dataset('p3', 'Lluvias 2023') + dataset('p4', 'Lluvias 2024'))
  const paged = await run('paginas', '/paginas/1.ttl')
  t.same(paged.report.gatherErrors, [])
  t.equal(paged.report.stats.added, 4)
  t.same(await titlesOf(paged.source), ['Lluvias 2021', 'Lluvias 2022', 'Lluvias 2023', 'Lluvias 2024'])

  // test_harvest_create_rdf_pagination_same_content: page 2 repeats page 1, the harvest stops there
  const repeated = TTL + pager(`${base}/repetida/1.ttl`, `${base}/repetida/2.ttl`) + dataset('r1', 'Embalse 1') + dataset('r2', 'Embalse 2')
  serve('/repetida/1.ttl', repeated)
  serve('/repetida/2.ttl', repeated)
  const same = await run('repetida', '/repetida/1.ttl')
  t.same([same.report.stats.added, same.report.gatherErrors.length], [2, 0])
  t.same(await titlesOf(same.source), ['Embalse 1', 'Embalse 2'])

  // test_harvest_update_existing_resources and _new_resources: a distribution with an IRI keeps
  // its resource id; keywords with commas and accents become separate tags
  const withResource = (name: string) => `<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">
  <dcat:Dataset rdf:about="https://lluvias.example.org/conjunto/u1">
    <dct:title>Pluviómetros</dct:title>
    <dcat:keyword>Año hidrológico, Niño</dcat:keyword>
    <dcat:keyword>precipitación</dcat:keyword>
    <dcat:distribution><dcat:Distribution rdf:about="https://lluvias.example.org/conjunto/u1/recurso/1">
      <dct:title>${name}</dct:title>
      <dcat:downloadURL rdf:resource="https://lluvias.example.org/ficheros/pluviometros.csv"/>
    </dcat:Distribution></dcat:distribution>
  </dcat:Dataset>
</rdf:RDF>`
  serve('/actualiza.rdf', withResource('Lecturas diarias'), 'application/rdf+xml')
  const first = await run('actualiza', '/actualiza.rdf')
  t.equal(first.report.stats.added, 1)
  const before = (await b.ok<Dict>('package_search', { fq: `harvest_source_id:${first.source}` })).results[0]
  t.same(before.tags.map((x: Dict) => x.name).sort(), ['Año hidrológico', 'Niño', 'precipitación'])
  serve('/actualiza.rdf', withResource('Lecturas diarias (corregidas)'), 'application/rdf+xml')
  const second = await run('actualiza', '/actualiza.rdf')
  t.equal(second.report.stats.updated, 1)
  const after = await b.ok<Dict>('package_show', { id: before.id })
  t.equal(after.name, before.name, 'the name stays')
  t.equal(after.resources.length, 1)
  t.equal(after.resources[0].name, 'Lecturas diarias (corregidas)')
  t.equal(after.resources[0].uri, 'https://lluvias.example.org/conjunto/u1/recurso/1')
  t.equal(after.resources[0].id, before.resources[0].id, 'matched by uri: the resource id is kept')

  // test_harvest_delete_*: a dataset gone from the remote is deleted
  serve('/borra.ttl', TTL + dataset('d1', 'Sequías') + dataset('d2', 'Inundaciones'))
  const full = await run('borra', '/borra.ttl')
  t.equal(full.report.stats.added, 2)
  serve('/borra.ttl', TTL + dataset('d1', 'Sequías'))
  const shrunk = await run('borra', '/borra.ttl')
  t.same([shrunk.report.stats.deleted, shrunk.report.stats['not modified']], [1, 1])
  t.same(await titlesOf(full.source), ['Sequías'])

  // test_harvest_bad_format_*: the job finishes with a gather error, nothing is created
  serve('/mal.rdf', '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="https://x.example/a">\n</rdf:RDF>', 'application/rdf+xml')
  const bad = await run('mal', '/mal.rdf')
  t.equal(bad.report.status, 'Finished')
  t.match(bad.report.gatherErrors[0], /Error parsing the RDF file/)
  t.equal(bad.report.stats.added, 0)
  serve('/mal.ttl', TTL + '<https://x.example/a> a dcat:Dataset ; dct:title "sin cerrar .\n')
  const badTtl = await run('mal-ttl', '/mal.ttl')
  t.match(badTtl.report.gatherErrors[0], /Error parsing the RDF file/)

  // test_harvest_create_duplicate_titles: two datasets with one title get two names
  serve('/duplicados.ttl', TTL + dataset('t1', 'Caudal medio') + dataset('t2', 'Caudal medio'))
  const dup = await run('duplicados', '/duplicados.ttl')
  t.equal(dup.report.stats.added, 2)
  const names = ((await b.ok<Dict>('package_search', { fq: `harvest_source_id:${dup.source}` })).results as Dict[]).map((d) => d.name as string)
  t.equal(new Set(names).size, 2)
  for (const n of names) t.match(n, /^caudal-medio/)

  // test_tags_with_commas_clean_tags_on/off: clean_tags munges keywords as CKAN tags, off keeps them
  const odd = '"Emb`A-l.se ¡norte!;"'
  serve('/etiquetas.ttl', TTL + dataset('k1', 'Etiquetas raras', ` ; dcat:keyword ${odd}`))
  const cleaned = await run('etiquetas-limpias', '/etiquetas.ttl', { clean_tags: true })
  t.equal(cleaned.report.stats.added, 1)
  const tagsOf = async (source: string) => ((await b.ok<Dict>('package_search', { fq: `harvest_source_id:${source}` })).results[0].tags as Dict[]).map((x) => x.name)
  t.same(await tagsOf(cleaned.source), ['emba-lse-norte'])
  serve('/etiquetas-2.ttl', TTL + dataset('k2', 'Etiquetas tal cual', ` ; dcat:keyword "Caudal Medio"`))
  const kept = await run('etiquetas-tal-cual', '/etiquetas-2.ttl')
  t.same(await tagsOf(kept.source), ['Caudal Medio'], 'without clean_tags the keyword is kept as written')
})
