import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readCorpus, type Dict } from '../../scripts/lib/corpus.js'

export { loadCorpus, loadCorpusGroups, toCreate, type Dict } from '../../scripts/lib/corpus.js'

/** The real catalogue dump in ../shared/data (beside the repository), or CORPUS_FILE. */
export function corpusFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  return process.env.CORPUS_FILE ?? path.resolve(here, '../../../../shared/data/datos-gob-ar-datasets.jsonl')
}

export function corpusRecords(): Dict[] {
  return readCorpus(corpusFile())
}
