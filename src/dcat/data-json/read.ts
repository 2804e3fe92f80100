/**
 * The DCAT-JSON / data.json harvester's parsing step (ckanext-dcat `harvesters/_json.py` and
 * `converters.dcat_to_ckan`). The mapping adds what dcat_to_ckan drops (contact point, licence,
 * media type, theme, spatial, temporal, access level) and uses the same extra keys as the RDF
 * harvester (`issued`, `modified`, `publisher_*`, lists JSON-encoded), so a dataset looks the same
 * to the DCAT serialisers whichever harvester brought it.
 */
import { createHash } from 'node:crypto'
import { cleanFormat } from '../../model/formats.js'
import { LICENSES } from '../../model/licenses.js'
import { isLicenseId, licenseIdForUrl } from '../read/license-match.js'
import { HarvestParseError, type HarvestedDataset, type ParsedPage } from '../read/parsed.js'
import { pyJsonDumps } from '../read/pyjson.js'

type Json = Record<string, unknown>
type Extra = { key: string; value: string }

function text(v: unknown): string {
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number') return String(v)
  return ''
}

/** A field that data.json allows as a list or a single (possibly comma-separated) string. */
function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(text).filter(Boolean)
  const s = text(v)
  return s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : []
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function withoutMailto(s: string): string {
  return s.replace(/^mailto:/i, '')
}

function lineColumn(body: string, position: number): string {
  const before = body.slice(0, position)
  const line = before.split('\n').length
  const column = position - before.lastIndexOf('\n')
  return `line ${line}, column ${column}`
}

function parseJson(body: string): unknown {
  if (body.trim() === '') throw new HarvestParseError('Error parsing the data.json file: the document is empty')
  if (/^\s*</.test(body)) {
    throw new HarvestParseError('Error parsing the data.json file: the document is HTML or XML, not JSON')
  }
  try {
    return JSON.parse(body)
  } catch (err) {
    // V8 quotes the start of the text ("Mantenimie"...): remote text, left out of reports editors read
    const message = (err as Error).message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' is not valid JSON')
    const pos = /position (\d+)/.exec(message)
    const where = pos ? ` (${lineColumn(body, Number(pos[1]))})` : ''
    throw new HarvestParseError(`Error parsing the data.json file: invalid JSON${where}: ${message}`)
  }
}

/** Keys sorted at every level, so the same record always hashes to the same guid. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

export function dataJsonGuid(dataset: Json): string {
  // the taxonomy entries a stored record carries (withTaxonomy) are not part of the remote record
  const { themeTaxonomy: _, ...own } = dataset
  return text(dataset.identifier) || createHash('sha1').update(canonical(own)).digest('hex')
}

function spatialExtras(spatial: unknown, add: (k: string, v: string) => void): void {
  if (isObject(spatial)) {
    add('spatial', JSON.stringify(spatial))
    return
  }
  const s = text(spatial)
  if (!s) return
  const bbox = s.split(',').map((x) => Number(x.trim()))
  if (bbox.length === 4 && bbox.every(Number.isFinite) && s.split(',').every((x) => x.trim() !== '')) {
    // DCAT-US 1.1 allows "west,south,east,north"; CKAN's spatial search wants GeoJSON
    const [w, so, e, n] = bbox
    add(
      'spatial',
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [w, so],
            [e, so],
            [e, n],
            [w, n],
            [w, so],
          ],
        ],
      }),
    )
    return
  }
  if (s.startsWith('{')) {
    try {
      JSON.parse(s)
      add('spatial', s)
      return
    } catch {
      /* a place name that happens to start with a brace */
    }
  }
  if (/^https?:\/\//.test(s)) add('spatial_uri', s)
  else add('spatial_text', s)
}

/** The register's titles, compared without case and extra spaces: national catalogs cite licences by title ("Creative Commons Attribution"). */
const byTitle = new Map(LICENSES.map((l) => [titleKey(l.title), l.id]))
function titleKey(title: string): string {
  return title.trim().replace(/\s+/g, ' ').toLowerCase()
}

/**
 * Titles Spanish-language CKAN portals (Portal Andino) write for register licences: datos.gob.ar's
 * data.json gives "No se especificó la licencia" for more than half of its datasets.
 */
const TRANSLATED_TITLES = new Map([['no se especificó la licencia', 'notspecified']])

/** A licence given as the register's URL (or a known alias), id or title. */
function licenseId(license: string): string {
  if (!license) return ''
  const key = titleKey(license)
  return licenseIdForUrl(license) ?? (isLicenseId(license) ? license : (byTitle.get(key) ?? TRANSLATED_TITLES.get(key) ?? ''))
}

/** A theme of the catalog's themeTaxonomy (Argentina's profile: id, label, description). */
export interface TaxonomyTheme {
  id: string
  label: string
  description: string
}

/** The taxonomy entries, keyed by id; entries without an id name nothing a dataset can point to. */
export function themeTaxonomy(catalog: unknown): Map<string, TaxonomyTheme> {
  const out = new Map<string, TaxonomyTheme>()
  const list = isObject(catalog) && Array.isArray(catalog.themeTaxonomy) ? catalog.themeTaxonomy : []
  for (const entry of list) {
    if (!isObject(entry)) continue
    const id = text(entry.id)
    if (id && !out.has(id)) out.set(id, { id, label: text(entry.label) || id, description: text(entry.description) })
  }
  return out
}

/**
 * A dataset's themes as taxonomy entries. At gather time the record is stored with the entries
 * it uses (key `themeTaxonomy`), so the import, which sees one record, still knows their labels;
 * a theme missing from the taxonomy is its own label.
 */
export function datasetThemes(record: Json): TaxonomyTheme[] {
  const taxonomy = themeTaxonomy(record)
  return [...new Set(list(record.theme))].map((id) => taxonomy.get(id) ?? { id, label: id, description: '' })
}

function resource(dist: Json): Json {
  const r: Json = {}
  const set = (key: string, v: string) => {
    if (v) r[key] = v
  }
  set('name', text(dist.title))
  set('description', text(dist.description))
  set('download_url', text(dist.downloadURL))
  set('access_url', text(dist.accessURL))
  r.url = text(dist.downloadURL) || text(dist.accessURL)
  const mimetype = text(dist.mediaType)
  set('mimetype', mimetype)
  const format = text(dist.format) || mimetype
  if (format) r.format = cleanFormat(format)
  const size = Number.parseInt(text(dist.byteSize), 10)
  if (Number.isFinite(size)) r.size = size
  const conformsTo = list(dist.conformsTo)
  if (conformsTo.length > 0) r.conforms_to = pyJsonDumps(conformsTo)
  // ckanext-dcat's resource keys for the distribution's own dates, rights, licence and identifier
  set('issued', text(dist.issued))
  set('modified', text(dist.modified))
  set('rights', text(dist.rights))
  const license = text(dist.license)
  if (license) r.license = licenseId(license) || license
  set('identifier', text(dist.identifier))
  // Argentina's profile: the file name and the column descriptions, under Portal Andino's resource keys
  set('fileName', text(dist.fileName))
  if (Array.isArray(dist.field) && dist.field.length > 0) r.attributesDescription = JSON.stringify(dist.field)
  return r
}

/** A publisher or creator: a name, or an object with name, email (Argentina: mbox) and identifier. */
function agent(v: unknown): { name: string; email: string; identifier: string } {
  if (isObject(v)) return { name: text(v.name), email: withoutMailto(text(v.email) || text(v.mbox)), identifier: text(v.identifier) }
  return { name: text(v), email: '', identifier: '' }
}

/** One data.json dataset → a CKAN package dict (without name/owner_org). */
export function dataJsonToCkan(ds: Json, guid: string): Json {
  const dict: Json = {}
  const extras: Extra[] = []
  const add = (key: string, value: string) => {
    if (value) extras.push({ key, value })
  }
  const set = (key: string, v: string) => {
    if (v) dict[key] = v
  }
  set('title', text(ds.title))
  set('notes', text(ds.description))
  set('url', text(ds.landingPage))
  dict.tags = [...new Set(list(ds.keyword))].map((name) => ({ name }))

  if (isObject(ds.contactPoint)) {
    set('maintainer', text(ds.contactPoint.fn))
    set('maintainer_email', withoutMailto(text(ds.contactPoint.hasEmail)))
  }
  // CKAN clients show author and maintainer, not extras: the creator (else the publisher) is the
  // author, the publisher stands in for a missing contact point (Portal Andino does the same)
  const [creator, publisher] = [agent(ds.creator), agent(ds.publisher)]
  const author = creator.name ? creator : publisher
  set('author', author.name)
  set('author_email', author.email)
  if (!dict.maintainer && !dict.maintainer_email) {
    set('maintainer', publisher.name)
    set('maintainer_email', publisher.email)
  }
  const license = text(ds.license)
  dict.license_id = licenseId(license)
  // a licence the register doesn't know is kept, or the source's terms would be lost
  if (license && !dict.license_id) add('license', license)

  add('issued', text(ds.issued))
  add('modified', text(ds.modified))
  add('identifier', text(ds.identifier))
  for (const [prefix, a] of [
    ['publisher', publisher],
    ['creator', creator],
  ] as const) {
    add(`${prefix}_name`, a.name)
    add(`${prefix}_email`, a.email)
    add(`${prefix}_identifier`, a.identifier)
  }
  const languages = list(ds.language)
  if (languages.length > 0) add('language', pyJsonDumps(languages))
  const themes = list(ds.theme)
  if (themes.length > 0) add('theme', pyJsonDumps(themes))
  const superThemes = list(ds.superTheme)
  if (superThemes.length > 0) add('superTheme', pyJsonDumps(superThemes))
  add('source', text(ds.source))
  // DCAT-US conformsTo is dct:conformsTo, references the related documents: ckanext-dcat's conforms_to and documentation
  const standards = list(ds.conformsTo)
  if (standards.length > 0) add('conforms_to', pyJsonDumps(standards))
  const references = Array.isArray(ds.references) ? ds.references.map(text).filter(Boolean) : list(ds.references)
  if (references.length > 0) add('documentation', pyJsonDumps(references))
  add('frequency', text(ds.accrualPeriodicity))
  add('access_rights', text(ds.accessLevel))
  add('rights', text(ds.rights))
  spatialExtras(ds.spatial, add)
  const temporal = text(ds.temporal)
  if (temporal) {
    // "start/end"; ISO 8601 also allows "start/duration" or a repeating "R/…" form, whose parts are not dates
    const parts = temporal.split('/')
    const isDate = (s: string | undefined) => !!s && !/^[RP]/.test(s)
    if (parts.length === 2 && isDate(parts[0])) add('temporal_start', parts[0])
    if (parts.length === 2 && isDate(parts[1])) add('temporal_end', parts[1])
  }
  add('guid', guid)

  dict.resources = Array.isArray(ds.distribution) ? ds.distribution.filter(isObject).map(resource) : []
  dict.extras = extras
  return dict
}

/** The record with the catalog's entries for its themes; a record read back alone keeps its own. */
function withTaxonomy(record: Json, taxonomy: Map<string, TaxonomyTheme>): Json {
  const used = [...new Set(list(record.theme))].flatMap((id) => {
    const entry = taxonomy.get(id)
    return entry ? [entry] : []
  })
  if (used.length === 0 || 'themeTaxonomy' in record) return record
  return { ...record, themeTaxonomy: used }
}

/** A data.json catalog (`{dataset: [...]}`) or a bare list of DCAT-JSON datasets. */
export function parseDataJsonPage(body: string, _opts: { sourceUrl: string }): ParsedPage {
  const doc = parseJson(body)
  let records: unknown[]
  if (Array.isArray(doc)) records = doc
  else if (isObject(doc) && Array.isArray(doc.dataset)) records = doc.dataset
  else {
    // ckanext-dcat reads a missing list as an empty catalog and then deletes every harvested dataset
    throw new HarvestParseError('Error parsing the data.json file: expected a list of datasets or an object with a "dataset" list')
  }
  const page: ParsedPage = { datasets: [], nextPage: null, errors: [] }
  const taxonomy = themeTaxonomy(doc)
  const seen = new Set<string>()
  records.forEach((record, i) => {
    if (!isObject(record)) {
      page.errors.push({ guid: null, message: `Dataset #${i + 1} is not a JSON object` })
      return
    }
    const guid = dataJsonGuid(record)
    if (!text(record.title)) {
      page.errors.push({ guid, message: `Dataset ${guid} has no title` })
      return
    }
    if (seen.has(guid)) {
      page.errors.push({ guid, message: `Duplicate dataset identifier ${guid} in the same page` })
      return
    }
    seen.add(guid)
    const dataset: HarvestedDataset = {
      guid,
      dict: dataJsonToCkan(record, guid),
      content: JSON.stringify(withTaxonomy(record, taxonomy)),
      modified: text(record.modified) || null,
    }
    page.datasets.push(dataset)
  })
  return page
}
