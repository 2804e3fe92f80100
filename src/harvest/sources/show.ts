import type { Dict } from './dictize.js'

/** ckanext-harvest's before_dataset_search filter: sources stay out of dataset searches. */
export const HIDE_SOURCES_FQ = '-dataset_type:harvest'

/** Sources are listed only when a filter names their type itself (e.g. `fq=dataset_type:harvest`). */
export function showsSources(fqs: string[]): boolean {
  return fqs.some((f) => f.includes('dataset_type:harvest'))
}

export function isHarvestSource(dict: Dict): boolean {
  return dict.type === 'harvest'
}
