import type { Column } from '../search/plan.js'
import { pythonCsvRow } from '../search/csv.js'

/**
 * The dump's four file formats, byte for byte as CKAN's writers (ckanext/datastore/writer.py)
 * print them: what comes before the records, each record, and what closes the file. CSV and
 * TSV rows themselves come from Postgres' COPY (or search/csv.ts, its twin).
 */

export type DumpFormat = 'csv' | 'tsv' | 'json' | 'xml'

export const DUMP_FORMATS: readonly DumpFormat[] = ['csv', 'tsv', 'json', 'xml']

export const CONTENT_TYPES: Record<DumpFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
}

const BOM = '\uFEFF'

export function csvDelimiter(format: 'csv' | 'tsv'): string {
  return format === 'csv' ? ',' : '\t'
}

/** The file's opening: BOM when asked, then the CSV header, JSON's fields or XML's root element. */
export function dumpStart(format: DumpFormat, fields: Column[], bom: boolean): string {
  const head = bom ? BOM : ''
  if (format === 'csv' || format === 'tsv')
    return (
      head +
      pythonCsvRow(
        fields.map((f) => f.id),
        csvDelimiter(format),
      )
    )
  if (format === 'json') return `${head}{\n  "fields": ${JSON.stringify(fields)},\n  "records": [`
  return `${head}<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n`
}

export function dumpEnd(format: DumpFormat): string {
  if (format === 'json') return '\n]}\n'
  if (format === 'xml') return '</data>\n'
  return ''
}

/** One JSON record (a list in field order); `first`: no comma before it. */
export function jsonRecord(values: unknown[], first: boolean): string {
  return `${first ? '\n    ' : ',\n    '}${JSON.stringify(values)}`
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#09;')
}

/** Python's str() of a JSON value, as ElementTree's text. */
function pyStr(v: unknown): string {
  if (v === true) return 'True'
  if (v === false) return 'False'
  return String(v)
}

/** ElementTree's serialisation of one value element (lists and objects nest as <value key=...>). */
function xmlNode(tag: string, v: unknown, key?: string): string {
  let attrs = ''
  let body = ''
  if (v === null || v === undefined) attrs += ' xsi:nil="true"'
  else if (Array.isArray(v)) body = v.map((item, i) => xmlNode('value', item, String(i))).join('')
  else if (typeof v === 'object')
    body = Object.entries(v as Record<string, unknown>)
      .map(([k, item]) => xmlNode('value', item, k))
      .join('')
  else body = escapeText(pyStr(v))
  if (key !== undefined) attrs += ` key="${escapeAttr(key)}"`
  return body === '' ? `<${tag}${attrs} />` : `<${tag}${attrs}>${body}</${tag}>`
}

/** One `<row>`: `_id` as its attribute when it is the first field, the other fields as elements. */
export function xmlRow(fields: Column[], values: unknown[]): string {
  const idFirst = fields[0]?.id === '_id'
  const attrs = idFirst ? ` _id="${escapeAttr(pyStr(values[0]))}"` : ''
  let body = ''
  for (let i = idFirst ? 1 : 0; i < fields.length; i++) body += xmlNode(fields[i].id, values[i])
  return body === '' ? `<row${attrs} />\n` : `<row${attrs}>${body}</row>\n`
}
