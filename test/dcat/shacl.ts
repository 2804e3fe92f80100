import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import n3 from 'n3'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/dcat/shapes')
const SH_CLASS = 'http://www.w3.org/ns/shacl#class'
const RDFS_RESOURCE = 'http://www.w3.org/2000/01/rdf-schema#Resource'
// DCAT-US's shapes import the SHACL vocabulary itself, which the validator knows already
const OWL_IMPORTS = 'http://www.w3.org/2002/07/owl#imports'

/** The shapes files of each standard (names under test/dcat/shapes/, see its README). */
export const SHAPES = {
  'DCAT-AP 3.0.0': ['dcat-ap-3.0.0-SHACL.ttl'],
  'DCAT-AP 2.1.1': ['dcat-ap_2.1.1_shacl_shapes.ttl', 'dcat-ap_2.1.1_shacl_range.ttl'],
  'DCAT-US 3.0': ['dcat-us-3.0-SHACL.ttl'],
} as const
export type ShapesName = keyof typeof SHAPES

const validators = new Map<string, SHACLValidator>()

export interface ShapesOptions {
  /** IRI namespaces of the shapes to replace (old → new), for shapes written against another namespace */
  renamespace?: Record<string, string>
}

/** A validator over the given shapes files, without `sh:class rdfs:Resource` (no RDFS entailment here: dcat.md §5) nor owl:imports. */
function shapes(files: readonly string[], opts: ShapesOptions): SHACLValidator {
  const key = `${files.join(' ')} ${JSON.stringify(opts.renamespace ?? {})}`
  const known = validators.get(key)
  if (known) return known
  const moved = <T extends n3.Term>(t: T): T => {
    if (t.termType !== 'NamedNode') return t
    for (const [from, to] of Object.entries(opts.renamespace ?? {})) if (t.value.startsWith(from)) return n3.DataFactory.namedNode(to + t.value.slice(from.length)) as unknown as T
    return t
  }
  const ds = rdf.dataset()
  for (const file of files) {
    for (const q of new n3.Parser().parse(readFileSync(path.join(DIR, file), 'utf8'))) {
      if ((q.predicate.value === SH_CLASS && q.object.value === RDFS_RESOURCE) || q.predicate.value === OWL_IMPORTS) continue
      ds.add(n3.DataFactory.quad(moved(q.subject), moved(q.predicate), moved(q.object)))
    }
  }
  const validator = new SHACLValidator(ds, { factory: rdf })
  validators.set(key, validator)
  return validator
}

export interface Violation {
  focus: string
  path: string
  value: string
  message: string
  severity: string
  /** the SHACL constraint component (sh:ClassConstraintComponent…) */
  component: string
}

/** Violations (severity sh:Violation) of a Turtle document against a standard's shapes (DCAT-AP 3 unless named). */
export async function violations(turtle: string, standard: ShapesName = 'DCAT-AP 3.0.0', opts: ShapesOptions = {}): Promise<Violation[]> {
  const data = rdf.dataset()
  for (const q of new n3.Parser().parse(turtle)) data.add(q)
  const report = await shapes(SHAPES[standard], opts).validate(data)
  return report.results
    .map((r) => ({
      focus: r.focusNode?.value ?? '',
      path: r.path?.value ?? '',
      value: r.value?.value ?? '',
      message: r.message.map((m) => m.value).join('; '),
      severity: r.severity?.value ?? '',
      component: r.sourceConstraintComponent?.value ?? '',
    }))
    .filter((v) => v.severity.endsWith('#Violation'))
}

const DATASET_LINKS = new Set(['http://purl.org/dc/terms/source', 'http://purl.org/dc/terms/hasVersion', 'http://purl.org/dc/terms/isVersionOf', 'http://www.w3.org/ns/dcat#hasVersion', 'http://www.w3.org/ns/dcat#servesDataset'])

/**
 * The one violation we accept, on purpose: a link to another dataset (dct:source, dct:hasVersion,
 * dct:isVersionOf, dcat:hasVersion, a service's dcat:servesDataset) that the document does not describe is not typed dcat:Dataset,
 * because every harvester (ckanext-dcat's, ours) turns each dcat:Dataset node into a dataset of its own.
 */
export function isUntypedDatasetLink(v: Violation, turtle: string): boolean {
  if (!DATASET_LINKS.has(v.path) || !v.component.endsWith('#ClassConstraintComponent')) return false
  const described = new n3.Store(new n3.Parser().parse(turtle)).countQuads(v.value, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://www.w3.org/ns/dcat#Dataset', null)
  return described === 0
}
