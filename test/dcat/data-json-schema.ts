import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Ajv04Module from 'ajv-draft-04'
import addFormats from 'ajv-formats'

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/dcat/schemas/dcat-us-1.1')

function load(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Record<string, unknown>
}

type Validate = ((doc: unknown) => boolean) & { errors?: unknown[] | null }
let compiled: Validate | undefined
// the package is CommonJS with the class as its default export
const Ajv04 = Ajv04Module.default

/** Errors of a data.json document against the non-federal DCAT-US 1.1 catalog schema (empty: valid). */
export function dataJsonErrors(doc: unknown): string[] {
  if (!compiled) {
    // allErrors: a test failure lists every problem at once; strict off: the official files carry keywords beside $ref
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false })
    addFormats.default(ajv)
    ajv.addSchema(load('dataset-non-federal.json'))
    compiled = ajv.compile(load('catalog.json'))
  }
  const validate = compiled
  if (validate(doc)) return []
  return (validate.errors ?? []).map((e) => {
    const err = e as { instancePath: string; message?: string; params?: unknown }
    return `${err.instancePath} ${err.message ?? ''} ${JSON.stringify(err.params)}`
  })
}
