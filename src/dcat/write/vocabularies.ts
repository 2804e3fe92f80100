/**
 * EU Publications Office authority tables (http://publications.europa.eu/resource/authority/…)
 * for the values CKAN portals store as short codes. DCAT-AP 3 wants IRIs for dct:language,
 * dcat:theme, dct:accrualPeriodicity and dct:format; a value we cannot map is left to the caller.
 */
import { lookup } from '../../lookup.js'
const AUTHORITY = 'http://publications.europa.eu/resource/authority/'

/** ISO 639-1 → the authority's three-letter code. */
const LANGUAGES: Record<string, string> = {
  en: 'ENG',
  es: 'SPA',
  fr: 'FRA',
  de: 'DEU',
  it: 'ITA',
  pt: 'POR',
  nl: 'NLD',
  el: 'ELL',
  pl: 'POL',
  cs: 'CES',
  sk: 'SLK',
  sl: 'SLV',
  hu: 'HUN',
  ro: 'RON',
  bg: 'BUL',
  hr: 'HRV',
  da: 'DAN',
  sv: 'SWE',
  fi: 'FIN',
  et: 'EST',
  lv: 'LAV',
  lt: 'LIT',
  mt: 'MLT',
  ga: 'GLE',
  ca: 'CAT',
  eu: 'EUS',
  gl: 'GLG',
  no: 'NOR',
  nb: 'NOB',
  nn: 'NNO',
  ru: 'RUS',
  uk: 'UKR',
  zh: 'ZHO',
  ja: 'JPN',
  ar: 'ARA',
  tr: 'TUR',
  gn: 'GRN',
  qu: 'QUE',
  ko: 'KOR',
}
const LANGUAGE_CODES = new Set(Object.values(LANGUAGES))

/** The data-theme table with its English labels (skos:Concept needs a skos:prefLabel). */
export const THEMES: Record<string, string> = {
  AGRI: 'Agriculture, fisheries, forestry and food',
  ECON: 'Economy and finance',
  EDUC: 'Education, culture and sport',
  ENER: 'Energy',
  ENVI: 'Environment',
  GOVE: 'Government and public sector',
  HEAL: 'Health',
  INTR: 'International issues',
  JUST: 'Justice, legal system and public safety',
  REGI: 'Regions and cities',
  SOCI: 'Population and society',
  TECH: 'Science and technology',
  TRAN: 'Transport',
}

const FREQUENCY_CODES = new Set([
  'TRIENNIAL',
  'BIENNIAL',
  'ANNUAL',
  'ANNUAL_2',
  'ANNUAL_3',
  'QUARTERLY',
  'BIMONTHLY',
  'MONTHLY',
  'MONTHLY_2',
  'MONTHLY_3',
  'BIWEEKLY',
  'WEEKLY',
  'WEEKLY_2',
  'WEEKLY_3',
  'DAILY',
  'DAILY_2',
  'HOURLY',
  'CONT',
  'UPDATE_CONT',
  'IRREG',
  'NEVER',
  'UNKNOWN',
  'OTHER',
  'QUINQUENNIAL',
  'DECENNIAL',
])

/** ISO 8601 repeating intervals (what datos.gob.ar-style portals store) and English words. */
const FREQUENCY_ALIASES: Record<string, string> = {
  'R/P10Y': 'DECENNIAL',
  'R/P5Y': 'QUINQUENNIAL',
  'R/P3Y': 'TRIENNIAL',
  'R/P2Y': 'BIENNIAL',
  'R/P1Y': 'ANNUAL',
  'R/P6M': 'ANNUAL_2',
  'R/P4M': 'ANNUAL_3',
  'R/P3M': 'QUARTERLY',
  'R/P2M': 'BIMONTHLY',
  'R/P1M': 'MONTHLY',
  'R/P0.5M': 'MONTHLY_2',
  'R/P0.33M': 'MONTHLY_3',
  'R/P2W': 'BIWEEKLY',
  'R/P1W': 'WEEKLY',
  'R/P0.5W': 'WEEKLY_2',
  'R/P0.33W': 'WEEKLY_3',
  'R/P1D': 'DAILY',
  'R/P0.5D': 'DAILY_2',
  'R/PT1H': 'HOURLY',
  'R/PT1S': 'CONT',
  EVENTUAL: 'IRREG',
  IRREGULAR: 'IRREG',
  YEARLY: 'ANNUAL',
  CONTINUOUS: 'CONT',
}

/** CKAN format name (src/model/formats.ts) → file-type code. */
const FILE_TYPES: Record<string, string> = {
  CSV: 'CSV',
  TSV: 'TSV',
  XLS: 'XLS',
  XLSX: 'XLSX',
  ODS: 'ODS',
  JSON: 'JSON',
  GEOJSON: 'GEOJSON',
  'JSON-LD': 'JSON_LD',
  XML: 'XML',
  RDF: 'RDF_XML',
  TTL: 'RDF_TURTLE',
  N3: 'N3',
  HTML: 'HTML',
  TXT: 'TXT',
  PDF: 'PDF',
  DOC: 'DOC',
  DOCX: 'DOCX',
  ODT: 'ODT',
  PPT: 'PPT',
  PPTX: 'PPTX',
  ZIP: 'ZIP',
  GZ: 'GZIP',
  TAR: 'TAR',
  '7Z': '7Z',
  RAR: 'RAR',
  SHP: 'SHP',
  KML: 'KML',
  KMZ: 'KMZ',
  GPX: 'GPX',
  WMS: 'WMS_SRVC',
  WFS: 'WFS_SRVC',
  GEOTIFF: 'GEOTIFF',
  PNG: 'PNG',
  JPEG: 'JPEG',
  GIF: 'GIF',
  SVG: 'SVG',
  SQL: 'SQL',
  MDB: 'MDB',
  DBF: 'DBF',
  PARQUET: 'PARQUET',
  ICS: 'ICS',
  RSS: 'RSS',
  'ATOM FEED': 'ATOM',
  MP3: 'MP3',
  MP4: 'MP4',
}

const isIri = (v: string) => /^https?:\/\//i.test(v)

export function languageIri(value: string): string | undefined {
  if (isIri(value)) return value
  const v = value.trim()
  const primary = v.split(/[-_]/)[0].toLowerCase()
  const code = lookup(LANGUAGES, primary) ?? (LANGUAGE_CODES.has(v.toUpperCase()) ? v.toUpperCase() : undefined)
  return code ? `${AUTHORITY}language/${code}` : undefined
}

export function themeIri(value: string): string | undefined {
  if (isIri(value)) return value
  const code = value.trim().toUpperCase()
  return THEMES[code] ? `${AUTHORITY}data-theme/${code}` : undefined
}

/** The English label of a data-theme IRI, if it is one. */
export function themeLabel(iri: string): string | undefined {
  return iri.startsWith(`${AUTHORITY}data-theme/`) ? lookup(THEMES, iri.slice(AUTHORITY.length + 11)) : undefined
}

export function frequencyIri(value: string): string | undefined {
  if (isIri(value)) return value
  const v = value.trim().toUpperCase()
  const code = FREQUENCY_CODES.has(v) ? v : FREQUENCY_ALIASES[v]
  return code ? `${AUTHORITY}frequency/${code}` : undefined
}

/** File-type IRI for a CKAN format name (already cleaned by cleanFormat) or an IRI. */
export function fileTypeIri(format: string): string | undefined {
  if (isIri(format)) return format
  const code = FILE_TYPES[format.trim().toUpperCase()]
  return code ? `${AUTHORITY}file-type/${code}` : undefined
}

/** IANA media-type IRI for a mimetype such as `text/csv`. */
export function mediaTypeIri(mimetype: string): string | undefined {
  if (isIri(mimetype)) return mimetype
  const m = mimetype.split(';')[0].trim().toLowerCase()
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(m) ? `https://www.iana.org/assignments/media-types/${m}` : undefined
}
