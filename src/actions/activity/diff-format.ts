import { diffArrays } from 'diff'

/**
 * activity_diff's three outputs, shaped as CKAN's (Python difflib): the line diff itself comes from
 * the `diff` package; hunks are grouped and printed here the way difflib's unified_diff,
 * context_diff and HtmlDiff.make_table do, so clients parsing CKAN's text read ours.
 */

type Tag = 'equal' | 'replace' | 'delete' | 'insert'
/** difflib's opcode: tag, a[i1:i2], b[j1:j2] */
type Opcode = [Tag, number, number, number, number]

/** `json.dumps(obj, indent=2, sort_keys=True)`: sorted keys, ASCII only (\u escapes), split into lines. */
export function jsonLines(value: unknown): string[] {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted)
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v).sort()) out[k] = sorted((v as Record<string, unknown>)[k])
      return out
    }
    return v
  }
  const text = JSON.stringify(sorted(value), null, 2) ?? 'null'
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).split('\n')
}

function opcodes(a: string[], b: string[]): Opcode[] {
  const out: Opcode[] = []
  let i = 0
  let j = 0
  const changes = diffArrays(a, b)
  for (let k = 0; k < changes.length; k++) {
    const c = changes[k]
    const n = c.count ?? c.value.length
    if (!c.added && !c.removed) {
      out.push(['equal', i, i + n, j, j + n])
      i += n
      j += n
    } else if (c.removed && changes[k + 1]?.added) {
      const m = changes[k + 1].count ?? changes[k + 1].value.length
      out.push(['replace', i, i + n, j, j + m])
      i += n
      j += m
      k++
    } else if (c.removed) {
      out.push(['delete', i, i + n, j, j])
      i += n
    } else {
      out.push(['insert', i, i, j, j + n])
      j += n
    }
  }
  return out
}

/** difflib's get_grouped_opcodes: changes with `n` lines of context, split where more than 2n lines are unchanged. */
function groupedOpcodes(a: string[], b: string[], n = 3): Opcode[][] {
  const codes = opcodes(a, b)
  if (codes.length === 0) codes.push(['equal', 0, 1, 0, 1])
  const first = codes[0]
  if (first[0] === 'equal') codes[0] = ['equal', Math.max(first[1], first[2] - n), first[2], Math.max(first[3], first[4] - n), first[4]]
  const last = codes[codes.length - 1]
  if (last[0] === 'equal') codes[codes.length - 1] = ['equal', last[1], Math.min(last[2], last[1] + n), last[3], Math.min(last[4], last[3] + n)]
  const groups: Opcode[][] = []
  let group: Opcode[] = []
  for (const code of codes) {
    const [tag, , i2, , j2] = code
    let [, i1, , j1] = code
    if (tag === 'equal' && i2 - i1 > 2 * n) {
      group.push([tag, i1, Math.min(i2, i1 + n), j1, Math.min(j2, j1 + n)])
      groups.push(group)
      group = []
      i1 = Math.max(i1, i2 - n)
      j1 = Math.max(j1, j2 - n)
    }
    group.push([tag, i1, i2, j1, j2])
  }
  if (group.length > 0 && !(group.length === 1 && group[0][0] === 'equal')) groups.push(group)
  return groups
}

function unifiedRange(start: number, stop: number): string {
  const length = stop - start
  if (length === 1) return String(start + 1)
  return `${length === 0 ? start : start + 1},${length}`
}

function contextRange(start: number, stop: number): string {
  const length = stop - start
  const beginning = length === 0 ? start : start + 1
  return length <= 1 ? String(beginning) : `${beginning},${beginning + length - 1}`
}

/** difflib.unified_diff(a, b) joined with "\n" as CKAN does (its header lines keep their own "\n"). */
export function unifiedDiff(a: string[], b: string[]): string {
  const out: string[] = []
  for (const group of groupedOpcodes(a, b)) {
    if (out.length === 0) out.push('--- \n', '+++ \n')
    const first = group[0]
    const last = group[group.length - 1]
    out.push(`@@ -${unifiedRange(first[1], last[2])} +${unifiedRange(first[3], last[4])} @@\n`)
    for (const [tag, i1, i2, j1, j2] of group) {
      if (tag === 'equal') {
        for (const line of a.slice(i1, i2)) out.push(` ${line}`)
        continue
      }
      if (tag === 'replace' || tag === 'delete') for (const line of a.slice(i1, i2)) out.push(`-${line}`)
      if (tag === 'replace' || tag === 'insert') for (const line of b.slice(j1, j2)) out.push(`+${line}`)
    }
  }
  return out.join('\n')
}

const CONTEXT_PREFIX: Record<Tag, string> = { insert: '+ ', delete: '- ', replace: '! ', equal: '  ' }

/** difflib.context_diff(a, b) joined with "\n". */
export function contextDiff(a: string[], b: string[]): string {
  const out: string[] = []
  for (const group of groupedOpcodes(a, b)) {
    if (out.length === 0) out.push('*** \n', '--- \n')
    const first = group[0]
    const last = group[group.length - 1]
    out.push('***************\n', `*** ${contextRange(first[1], last[2])} ****\n`)
    if (group.some(([tag]) => tag === 'replace' || tag === 'delete')) {
      for (const [tag, i1, i2] of group) if (tag !== 'insert') for (const line of a.slice(i1, i2)) out.push(CONTEXT_PREFIX[tag] + line)
    }
    out.push(`--- ${contextRange(first[3], last[4])} ----\n`)
    if (group.some(([tag]) => tag === 'replace' || tag === 'insert')) {
      for (const [tag, , , j1, j2] of group) if (tag !== 'delete') for (const line of b.slice(j1, j2)) out.push(CONTEXT_PREFIX[tag] + line)
    }
  }
  return out.join('\n')
}

/** CKAN wraps lines at 70 characters, at whitespace where it can; unlike its regex, a long word is cut rather than dropped. */
export function wrapLines(lines: string[]): string[] {
  return lines.flatMap((line) => (line === '' ? [''] : (line.match(/.{1,70}(?:\s+|$)|.{1,70}/g) ?? [line])))
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/ /g, '&nbsp;')
}

/**
 * A side-by-side table with difflib HtmlDiff's classes (diff, diff_header, diff_add, diff_sub,
 * diff_chg), every text escaped as difflib does (&, <, >; spaces kept as &nbsp;). Both sides are wrapped at 70 characters first, as CKAN does.
 */
export function htmlDiff(a0: string[], b0: string[]): string {
  const a = wrapLines(a0)
  const b = wrapLines(b0)
  const cell = (n: number | null, text: string | null, cls: string | null) => {
    if (n === null || text === null) return '<td class="diff_header"></td><td nowrap="nowrap"></td>'
    const body = cls ? `<span class="${cls}">${escapeHtml(text)}</span>` : escapeHtml(text)
    return `<td class="diff_header">${n + 1}</td><td nowrap="nowrap">${body}</td>`
  }
  const rows: string[] = []
  for (const [tag, i1, i2, j1, j2] of opcodes(a, b)) {
    const span = Math.max(i2 - i1, j2 - j1)
    for (let k = 0; k < span; k++) {
      const i = i1 + k < i2 ? i1 + k : null
      const j = j1 + k < j2 ? j1 + k : null
      const left = tag === 'equal' ? null : tag === 'replace' ? 'diff_chg' : 'diff_sub'
      const right = tag === 'equal' ? null : tag === 'replace' ? 'diff_chg' : 'diff_add'
      rows.push(`<tr>${cell(i, i === null ? null : a[i], left)}${cell(j, j === null ? null : b[j], right)}</tr>`)
    }
  }
  return `<table class="diff" cellspacing="0" cellpadding="0" rules="groups"><colgroup></colgroup><colgroup></colgroup><colgroup></colgroup><colgroup></colgroup><tbody>\n${rows.join('\n')}\n</tbody></table>`
}
