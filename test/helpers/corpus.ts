import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readCorpus, type Dict } from '../../scripts/lib/corpus.js'

export { loadCorpus, loadCorpusGroups, toCreate, type Dict } from '../../scripts/lib/corpus.js'

/**
 * 200 real datasets of the Datos Argentina dump, committed with the tests (test/fixtures/README.md):
 * the words and datasets the relevance table needs, every organization and group of the full corpus.
 * Tests read only this file; the full corpus is for the benchmarks (CORPUS_FILE).
 */
export function corpusFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  // compiled to dist/test/helpers: the fixture stays in the source tree
  return path.resolve(here, '../../../test/fixtures/datos-gob-ar-sample.jsonl')
}

export function corpusRecords(): Dict[] {
  return readCorpus(corpusFile())
}
