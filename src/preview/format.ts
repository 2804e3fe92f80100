/**
 * Which reader a resource goes to. CKAN's `format` is free text typed by publishers ('CSV',
 * '.csv', 'text/csv', 'Excel', 'application/vnd.oasis.opendocument.spreadsheet'), so it is
 * normalised and looked up first; when it says nothing known, the mimetype and then the URL's
 * extension decide. Spreadsheet kinds are only a hint: the bytes are sniffed before parsing
 * (a file called XLS is often an XLSX, sometimes a CSV).
 */
export type PreviewFormat = 'csv' | 'tsv' | 'xlsx' | 'xls' | 'ods' | 'json' | 'text' | 'image' | 'pdf'

const NAMES: Record<string, PreviewFormat> = {
  csv: 'csv',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/comma-separated-values': 'csv',
  'text/x-csv': 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  'text/tab-separated-values': 'tsv',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  xlsb: 'xlsx',
  'application/vnd.ms-excel.sheet.binary.macroenabled.12': 'xlsx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-excel.sheet.macroenabled.12': 'xlsx',
  xls: 'xls',
  excel: 'xls',
  'ms excel': 'xls',
  'application/vnd.ms-excel': 'xls',
  'application/msexcel': 'xls',
  'application/x-msexcel': 'xls',
  'application/x-excel': 'xls',
  ods: 'ods',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  json: 'json',
  'application/json': 'json',
  'text/json': 'json',
  geojson: 'json',
  'geo+json': 'json',
  'application/geo+json': 'json',
  'application/vnd.geo+json': 'json',
  topojson: 'json',
  'json-ld': 'json',
  jsonld: 'json',
  'application/ld+json': 'json',
  txt: 'text',
  text: 'text',
  'plain text': 'text',
  'text/plain': 'text',
  md: 'text',
  markdown: 'text',
  'text/markdown': 'text',
  xml: 'text',
  'text/xml': 'text',
  'application/xml': 'text',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  svg: 'image',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'image/svg+xml': 'image',
  pdf: 'pdf',
  'application/pdf': 'pdf',
}

function lookup(value: string | null | undefined): PreviewFormat | null {
  if (!value) return null
  // parameters (text/csv; charset=...) and a leading dot ('.csv') say nothing about the kind
  const key = value.split(';')[0].trim().toLowerCase().replace(/^\./, '')
  return NAMES[key] ?? null
}

function extension(url: string | null): string | null {
  if (!url) return null
  let pathname: string
  try {
    pathname = new URL(url, 'http://x/').pathname
  } catch {
    return null
  }
  const m = /\.([a-z0-9]{2,8})$/i.exec(pathname)
  return m ? m[1] : null
}

export function previewFormat(resource: { format: string | null; mimetype: string | null; url: string | null }): PreviewFormat | null {
  return lookup(resource.format) ?? lookup(resource.mimetype) ?? lookup(extension(resource.url))
}
