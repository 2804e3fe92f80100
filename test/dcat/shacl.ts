import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import n3 from 'n3'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const SHAPES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/dcat/shapes/dcat-ap-3.0.0-SHACL.ttl')
const SH_CLASS = 'http://www.w3.org/ns/shacl#class'
const RDFS_RESOURCE = 'http://www.w3.org/2000/01/rdf-schema#Resource'

let validator: SHACLValidator | undefined

/** The DCAT-AP 3 shapes without `sh:class rdfs:Resource` (no RDFS entailment here: dcat.md §5). */
function shapes(): SHACLValidator {
  if (validator) return validator
  const quads = new n3.Parser().parse(readFileSync(SHAPES, 'utf8'))
  const ds = rdf.dataset()
  for (const q of quads) if (!(q.predicate.value === SH_CLASS && q.object.value === RDFS_RESOURCE)) ds.add(q)
  validator = new SHACLValidator(ds, { factory: rdf })
  return validator
}

export interface Violation {
  focus: string
  path: string
  message: string
  severity: string
}

/** Violations (severity sh:Violation) of a Turtle document against the DCAT-AP 3 shapes. */
export async function violations(turtle: string): Promise<Violation[]> {
  const data = rdf.dataset()
  for (const q of new n3.Parser().parse(turtle)) data.add(q)
  const report = await shapes().validate(data)
  return report.results
    .map((r) => ({
      focus: r.focusNode?.value ?? '',
      path: r.path?.value ?? '',
      message: r.message.map((m) => m.value).join('; '),
      severity: r.severity?.value ?? '',
    }))
    .filter((v) => v.severity.endsWith('#Violation'))
}
