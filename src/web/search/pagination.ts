/** A paging nav: previous/next and a bounded run of page numbers, with gaps where numbers are left out. */
export interface Pagination {
  current: number
  last: number
  previous: string | null
  next: string | null
  items: Array<{ gap: true } | { gap: false; page: number; url: string; current: boolean }>
}

/** Pages on each side of the current one; the first and last are always shown. */
const AROUND = 2

/** Null when everything fits on one page (and the visitor is on it). */
export function pagination(current: number, count: number, perPage: number, url: (page: number) => string): Pagination | null {
  const last = Math.max(1, Math.ceil(count / perPage))
  if (last === 1 && current === 1) return null
  const shown = new Set<number>([1, last])
  for (let p = Math.max(1, current - AROUND); p <= Math.min(last, current + AROUND); p++) shown.add(p)
  const items: Pagination['items'] = []
  let prev = 0
  for (const p of [...shown].sort((a, b) => a - b)) {
    if (p - prev === 2) items.push({ gap: false, page: p - 1, url: url(p - 1), current: false })
    else if (p - prev > 2) items.push({ gap: true })
    items.push({ gap: false, page: p, url: url(p), current: p === current })
    prev = p
  }
  return {
    current,
    last,
    // past the end, "previous" leads back to the last page that has results
    previous: current > 1 ? url(Math.min(current - 1, last)) : null,
    next: current < last ? url(current + 1) : null,
    items,
  }
}
