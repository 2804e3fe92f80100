/**
 * Reading under RDF profiles, applied in order as ckanext-dcat's RDFParser does: every DCAT-AP
 * profile (euro_dcat_ap, _2, _3) reads with the one DCAT-AP mapping, which covers all three;
 * dcat_us_3 adds DCAT-US's fields; schemaorg reads nothing (ckanext-dcat's has no parser).
 */
import type { Term } from 'n3'
import type { Graph } from './rdf-graph.js'
import { datasetDict } from './dataset.js'
import { addDcatUsFields } from './dcat-us.js'

/** The package dict of dataset node `ds` under `profiles` (default: DCAT-AP). */
export function readDataset(g: Graph, ds: Term, profiles: readonly string[] = []): Record<string, unknown> {
  const dict = datasetDict(g, ds)
  if (profiles.includes('dcat_us_3')) addDcatUsFields(g, ds, dict)
  return dict
}
