/**
 * What the dcat_us_3 profile reads beyond DCAT-AP (ckanext-dcat profiles/dcat_us_3.py
 * `_parse_dataset_v3_us`, with the repeating structures its scheming schema keeps): bounding boxes,
 * data dictionaries, liability statement, contributors, purpose and usage notes; every contact
 * point, creator, period and qualified relation (DCAT-AP's flat extras hold only the first); and
 * per distribution its identifier, character encoding and data dictionary.
 * Abierto has no scheming: each structure is an extra (a resource key on distributions) under
 * ckanext-dcat's field name holding JSON, and the flat DCAT-AP extras stay for other profiles and
 * CKAN clients.
 */
import type { Term } from 'n3'
import { type Graph, NS } from './rdf-graph.js'
import { agents, contacts } from './agents.js'
import { pyJsonDumps } from './pyjson.js'

const { dcat, dct, dcatus, skos, cnt, schema, time } = NS

type Dict = Record<string, unknown>
type Extra = { key: string; value: string }

/** One dct:PeriodOfTime as {start, end}: dcat:startDate/endDate, else OWL-Time, else schema.org. */
function period(g: Graph, interval: Term): Dict {
  const inXsd = [`${time}inXSDDateTimeStamp`, `${time}inXSDDateTime`, `${time}inXSDDate`]
  const readers: (() => [string, string])[] = [
    () => [g.value(interval, `${dcat}startDate`), g.value(interval, `${dcat}endDate`)],
    () => {
      const b = g.first(interval, `${time}hasBeginning`)
      const e = g.first(interval, `${time}hasEnd`)
      return [b ? g.valueOf(b, inXsd) : '', e ? g.valueOf(e, inXsd) : '']
    },
    () => [g.value(interval, `${schema}startDate`), g.value(interval, `${schema}endDate`)],
  ]
  for (const read of readers) {
    const [start, end] = read()
    if (start || end) return { ...(start ? { start } : {}), ...(end ? { end } : {}) }
  }
  return {}
}

/** dcatus:describedBy: a literal is kept as text, nodes as {url, format, license}. */
function dataDictionary(g: Graph, subject: Term): string | Dict[] | undefined {
  const objects = g.objects(subject, `${dcatus}describedBy`)
  const nodes = objects.filter((o) => o.termType !== 'Literal')
  if (nodes.length === 0) return objects[0]?.value
  const out: Dict[] = []
  for (const n of nodes) {
    const entry: Dict = {}
    for (const [key, p] of [
      ['url', `${dcat}accessURL`],
      ['format', `${dct}format`],
      ['license', `${dct}license`],
    ] as const) {
      const v = g.value(n, p)
      if (v) entry[key] = v
    }
    if (Object.keys(entry).length > 0) out.push(entry)
  }
  return out.length > 0 ? out : undefined
}

function boundingBoxes(g: Graph, ds: Term): Dict[] {
  return g.objects(ds, `${dcatus}geographicBoundingBox`).map((b) => ({
    west: g.value(b, `${dcatus}westBoundingLongitude`),
    east: g.value(b, `${dcatus}eastBoundingLongitude`),
    north: g.value(b, `${dcatus}northBoundingLatitude`),
    south: g.value(b, `${dcatus}southBoundingLatitude`),
  }))
}

function relations(g: Graph, ds: Term): Dict[] {
  return g.objects(ds, `${dcat}qualifiedRelation`).map((r) => ({
    uri: r.termType === 'NamedNode' ? r.value : '',
    relation: g.value(r, `${dct}relation`),
    role: g.value(r, `${dcat}hadRole`),
  }))
}

/** Adds the DCAT-US fields to the DCAT-AP dict of dataset node `ds` (its resources in dcat:distribution order). */
export function addDcatUsFields(g: Graph, ds: Term, dict: Dict): Dict {
  const extras = dict.extras as Extra[]
  const set = (key: string, value: string) => {
    const i = extras.findIndex((e) => e.key === key)
    if (i >= 0) extras.splice(i, 1)
    if (value) extras.push({ key, value })
  }
  const json = (key: string, list: unknown[]) => set(key, list.length > 0 ? pyJsonDumps(list) : '')

  json('bbox', boundingBoxes(g, ds))
  const dd = dataDictionary(g, ds)
  set('data_dictionary', typeof dd === 'string' ? dd : dd ? pyJsonDumps(dd) : '')
  set('liability', g.value(ds, `${dcatus}liabilityStatement`))
  json('contributor', agents(g, ds, `${dct}contributor`))
  json('purpose', g.values(ds, `${dcatus}purpose`))
  json('usage', g.values(ds, `${skos}scopeNote`))
  json('contact', contacts(g, ds, `${dcat}contactPoint`))
  json('creator', agents(g, ds, `${dct}creator`))
  json(
    'temporal_coverage',
    g
      .objects(ds, `${dct}temporal`)
      .map((t) => period(g, t))
      .filter((p) => Object.keys(p).length > 0),
  )
  json('qualified_relation', relations(g, ds))

  const resources = (dict.resources as Dict[] | undefined) ?? []
  g.objects(ds, `${dcat}distribution`).forEach((d, i) => {
    const r = resources[i]
    if (!r) return
    const identifier = g.value(d, `${dct}identifier`)
    if (identifier) r.identifier = identifier
    const encoding = g.value(d, `${cnt}characterEncoding`)
    if (encoding) r.character_encoding = encoding
    const temporalResolution = g.value(d, `${dcat}temporalResolution`)
    if (temporalResolution) r.temporal_resolution = temporalResolution
    const rdd = dataDictionary(g, d)
    if (rdd) r.data_dictionary = typeof rdd === 'string' ? rdd : pyJsonDumps(rdd)
  })
  return dict
}
