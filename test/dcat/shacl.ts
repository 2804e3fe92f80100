import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import n3 from 'n3'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const SHAPES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/dcat/shapes')
const DEFAULT_SHAPES = 'dcat-ap-3.0.0-SHACL.ttl'
const SH_CLASS = 'http://www.w3.org/ns/shacl#class'
const RDFS_RESOURCE = 'http://www.w3.org/2000/01/rdf-schema#Resource'
// DCAT-US's shapes import the SHACL vocabulary itself, which the validator knows already
const OWL_IMPORTS = 'http://www.w3.org/2002/07/owl#imports'

const validators = new Map<string, SHACLValidator>()

export interface ShapesOptions {
  /** IRI namespaces of the shapes file to replace (old → new), for shapes written against another namespace */
  renamespace?: Record<string, string>
}

/** A shapes file of test/dcat/shapes without `sh:class rdfs:Resource` (no RDFS entailment here: dcat.md §5) nor owl:imports. */
function shapes(file: string, opts: ShapesOptions): SHACLValidator {
  const key = `${file} ${JSON.stringify(opts.renamespace ?? {})}`
  const cached = validators.get(key)
  if (cached) return cached
  const moved = <T extends n3.Term>(t: T): T => {
    if (t.termType !== 'NamedNode') return t
    for (const [from, to] of Object.entries(opts.renamespace ?? {})) if (t.value.startsWith(from)) return n3.DataFactory.namedNode(to + t.value.slice(from.length)) as unknown as T
    return t
  }
  const quads = new n3.Parser().parse(readFileSync(path.join(SHAPES_DIR, file), 'utf8'))
  const ds = rdf.dataset()
  for (const q of quads) if (!(q.predicate.value === SH_CLASS && q.object.value === RDFS_RESOURCE) && q.predicate.value !== OWL_IMPORTS) ds.add(n3.DataFactory.quad(moved(q.subject), moved(q.predicate), moved(q.object)))
  const validator = new SHACLValidator(ds, { factory: rdf })
  validators.set(key, validator)
  return validator
}

export interface Violation {
  focus: string
  path: string
  message: string
  severity: string
}

/** Violations (severity sh:Violation) of a Turtle document against a shapes file (default: DCAT-AP 3). */
export async function violations(turtle: string, file = DEFAULT_SHAPES, opts: ShapesOptions = {}): Promise<Violation[]> {
  const data = rdf.dataset()
  for (const q of new n3.Parser().parse(turtle)) data.add(q)
  const report = await shapes(file, opts).validate(data)
  return report.results
    .map((r) => ({
      focus: r.focusNode?.value ?? '',
      path: r.path?.value ?? '',
      message: r.message.map((m) => m.value).join('; '),
      severity: r.severity?.value ?? '',
    }))
    .filter((v) => v.severity.endsWith('#Violation'))
}
