/**
 * What a harvester's parsing layer hands to the pipeline: one page of remote records, already in
 * CKAN's package_create shape. Parsers are pure (no HTTP, no database) so every source format is
 * testable from a fixture file.
 */

/** One remote record, ready to import. */
export interface HarvestedDataset {
  /** identity at the source (ckanext-dcat: uri → identifier → `${sourceUrl}/${name}` → name; data.json: identifier, else sha1 of the JSON) */
  guid: string
  /** a CKAN package_create input without name/owner_org/id; extras' values are strings, lists JSON-encoded */
  dict: Record<string, unknown>
  /** the record's own source text, stored on the harvest object */
  content: string
  /** a hash of the record that ignores serialisation details (blank node labels, order), when the format has them */
  fingerprint?: string
  /** the remote's own modified date if given (lets the pipeline skip unchanged records) */
  modified: string | null
}

export interface ParsedPage {
  datasets: HarvestedDataset[]
  nextPage: string | null
  /** records that could not be mapped; the rest of the page is still usable */
  errors: { guid: string | null; message: string }[]
}

/** The whole page is unusable: the message says why, with line/column when the parser gives one. */
export class HarvestParseError extends Error {
  override name = 'HarvestParseError'
}
