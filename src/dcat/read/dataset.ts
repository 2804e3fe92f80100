/**
 * One dcat:Dataset node → a CKAN package dict, as ckanext-dcat's DCAT-AP 1/2/3 profiles parse it
 * without ckanext-scheming (profiles/euro_dcat_ap_base.py `_parse_dataset_base`,
 * euro_dcat_ap_2.py `_parse_dataset_v2`, euro_dcat_ap_3.py `_parse_dataset_v3`). Root fields are
 * CKAN's core ones; everything else is an extra whose value is a string, lists JSON-encoded.
 * Deliberate differences: Spanish literals are preferred, the dataset's own dct:license is a
 * licence fallback, and blank nodes never leak their document-local ids.
 */
import type { Term } from 'n3'
import { licenseIdForTitle, licenseIdForUrl } from './license-match.js'
import { type Graph, NS, PREFERRED_LANGUAGE } from './rdf-graph.js'
import { agents, contacts } from './agents.js'
import { spatial, temporal } from './coverage.js'
import { floatsValue, resource } from './distribution.js'
import { pyJsonDumps } from './pyjson.js'
import { sourceCatalogExtras } from './source-catalog.js'

const { dcat, dct, dcatap, adms, foaf, owl, rdfs } = NS

type Extra = { key: string; value: string }

/** dcat:keyword values, comma-separated ones split; other languages dropped when Spanish or untagged ones exist. */
export function keywords(g: Graph, ds: Term): string[] {
  const all = g.objects(ds, `${dcat}keyword`)
  const preferred = all.filter((t) => t.termType !== 'Literal' || t.language === '' || t.language.toLowerCase().split('-')[0] === PREFERRED_LANGUAGE)
  const out: string[] = []
  for (const t of preferred.length > 0 ? preferred : all) {
    for (const part of t.value.includes(',') ? t.value.split(',').map((s) => s.trim()) : [t.value]) {
      if (part && !out.includes(part)) out.push(part)
    }
  }
  return out
}

function accessRights(g: Graph, ds: Term): string {
  const o = g.first(ds, `${dct}accessRights`)
  if (!o) return ''
  return o.termType === 'BlankNode' ? g.value(o, `${rdfs}label`) : o.value
}

/** The first distribution licence found in the register (by IRI, then by title), else the dataset's own, else "". */
function licenseId(g: Graph, ds: Term, distributions: Term[]): string {
  const lookup = (node: Term | undefined): string | undefined => {
    if (!node) return undefined
    const byUrl = node.termType === 'NamedNode' ? licenseIdForUrl(node.value) : undefined
    if (byUrl) return byUrl
    const title = node.termType === 'Literal' ? node.value : g.value(node, `${dct}title`)
    return title ? licenseIdForTitle(title) : undefined
  }
  for (const d of distributions) {
    const id = lookup(g.first(d, `${dct}license`))
    if (id) return id
  }
  return lookup(g.first(ds, `${dct}license`)) ?? ''
}

const SIMPLE_EXTRAS = [
  ['issued', `${dct}issued`],
  ['modified', `${dct}modified`],
  ['identifier', `${dct}identifier`],
  ['version_notes', `${adms}versionNotes`],
  ['frequency', `${dct}accrualPeriodicity`],
  ['provenance', `${dct}provenance`],
  ['dcat_type', `${dct}type`],
  ['temporal_resolution', `${dcat}temporalResolution`],
] as const

const LIST_EXTRAS = [
  ['language', `${dct}language`],
  ['theme', `${dcat}theme`],
  ['alternate_identifier', `${adms}identifier`],
  ['conforms_to', `${dct}conformsTo`],
  ['documentation', `${foaf}page`],
  ['related_resource', `${dct}relation`],
  ['has_version', `${dct}hasVersion`],
  ['is_version_of', `${dct}isVersionOf`],
  ['source', `${dct}source`],
  ['sample', `${adms}sample`],
  ['is_referenced_by', `${dct}isReferencedBy`],
  ['applicable_legislation', `${dcatap}applicableLegislation`],
  ['hvd_category', `${dcatap}hvdCategory`],
] as const

/** The package dict for one dataset node. */
export function datasetDict(g: Graph, ds: Term): Record<string, unknown> {
  const dict: Record<string, unknown> = {}
  const extras: Extra[] = []
  const add = (key: string, value: string) => {
    if (value) extras.push({ key, value })
  }

  for (const [key, p] of [
    ['title', `${dct}title`],
    ['notes', `${dct}description`],
    ['url', `${dcat}landingPage`],
  ] as const) {
    const v = g.value(ds, p)
    if (v) dict[key] = v
  }
  // DCAT-AP 3's dcat:version wins over owl:versionInfo, which wins over DCAT-AP 1's adms:version
  const version = g.value(ds, `${dcat}version`) || g.value(ds, `${owl}versionInfo`) || g.value(ds, `${adms}version`)
  if (version) dict.version = version
  dict.tags = keywords(g, ds).map((name) => ({ name }))

  for (const [key, p] of SIMPLE_EXTRAS) add(key, g.value(ds, p))
  for (const [key, p] of LIST_EXTRAS) {
    const vs = g.values(ds, p)
    // DCAT-AP 3 moved hasVersion into dcat:; one extra holds both
    if (key === 'has_version') for (const v of g.values(ds, `${dcat}hasVersion`)) if (!vs.includes(v)) vs.push(v)
    if (vs.length > 0) add(key, pyJsonDumps(vs))
  }

  // DCAT-AP 1 used adms:contactPoint
  const [contact] = contacts(g, ds, `${dcat}contactPoint`).concat(contacts(g, ds, `${adms}contactPoint`))
  if (contact) for (const k of ['uri', 'name', 'email', 'identifier', 'url']) add(`contact_${k}`, contact[k])
  for (const [prefix, p] of [
    ['publisher', `${dct}publisher`],
    ['creator', `${dct}creator`],
  ] as const) {
    const [agent] = agents(g, ds, p)
    if (agent) for (const k of ['uri', 'name', 'email', 'url', 'type', 'identifier']) add(`${prefix}_${k}`, agent[k])
  }

  const [start, end] = temporal(g, ds)
  add('temporal_start', start)
  add('temporal_end', end)
  const where = spatial(g, ds)
  add('spatial_uri', where.uri)
  add('spatial_text', where.text)
  add('spatial', where.geom)
  add('spatial_bbox', where.bbox)
  add('spatial_centroid', where.centroid)
  add('spatial_resolution_in_meters', floatsValue(g, ds, `${dcat}spatialResolutionInMeters`))

  // always present, "" for a blank node, as ckanext-dcat does: the guid rule relies on it
  extras.push({ key: 'uri', value: ds.termType === 'NamedNode' ? ds.value : '' })
  add('access_rights', accessRights(g, ds))
  extras.push(...sourceCatalogExtras(g, ds))
  add('homepage', g.value(ds, `${foaf}homepage`))

  const distributions = g.objects(ds, `${dcat}distribution`)
  dict.license_id = licenseId(g, ds, distributions)
  dict.resources = distributions.map((d) => resource(g, d))
  dict.extras = extras
  return dict
}
