/**
 * Just enough of Postgres' lexical rules to read a client's SELECT safely: strings (standard,
 * E'' with backslashes, dollar-quoted), quoted identifiers, comments (nested block comments
 * too), so a `;` or a name inside any of them is never mistaken for code. Used to count
 * statements and to find function calls; Postgres itself parses the query for everything else.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'operator'

export interface Token {
  kind: TokenKind
  /** words lower-cased (as Postgres folds them); quoted identifiers as written */
  text: string
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/
const OPERATOR_CHAR = /[+\-*/<>=~!@#%^&|`?]/

export class SqlLexError extends Error {
  override name = 'SqlLexError'
}

export function tokenize(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i]
    if (/\s/.test(c)) {
      i++
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++
          i += 2
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--
          i += 2
        } else {
          i++
        }
      }
      if (depth > 0) throw new SqlLexError('unterminated comment')
    } else if (c === "'" || ((c === 'E' || c === 'e') && text[i + 1] === "'")) {
      const escapes = c !== "'"
      i += escapes ? 2 : 1
      for (;;) {
        if (i >= n) throw new SqlLexError('unterminated string')
        if (escapes && text[i] === '\\') i += 2
        else if (text[i] === "'" && text[i + 1] === "'") i += 2
        else if (text[i] === "'") break
        else i++
      }
      i++
      out.push({ kind: 'string', text: '' })
    } else if (c === '"') {
      let j = i + 1
      let name = ''
      for (;;) {
        if (j >= n) throw new SqlLexError('unterminated identifier')
        if (text[j] === '"' && text[j + 1] === '"') {
          name += '"'
          j += 2
        } else if (text[j] === '"') {
          break
        } else {
          name += text[j++]
        }
      }
      i = j + 1
      out.push({ kind: 'quoted', text: name })
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))![0]
      const end = text.indexOf(tag, i + tag.length)
      if (end < 0) throw new SqlLexError('unterminated dollar-quoted string')
      i = end + tag.length
      out.push({ kind: 'string', text: '' })
    } else if (WORD_START.test(c)) {
      let j = i + 1
      while (j < n && WORD_CHAR.test(text[j])) j++
      out.push({ kind: 'word', text: text.slice(i, j).toLowerCase() })
      i = j
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i + 1
      while (j < n && /[0-9A-Za-z_.]/.test(text[j])) j++
      out.push({ kind: 'number', text: text.slice(i, j) })
      i = j
    } else if (c === ':' && text[i + 1] === ':') {
      out.push({ kind: 'operator', text: '::' })
      i += 2
    } else if (OPERATOR_CHAR.test(c)) {
      let j = i + 1
      while (j < n && OPERATOR_CHAR.test(text[j]) && !(text[j] === '-' && text[j + 1] === '-') && !(text[j] === '/' && text[j + 1] === '*')) j++
      out.push({ kind: 'operator', text: text.slice(i, j) })
      i = j
    } else if (c === '$') {
      // a positional parameter ($1): no client query has one, Postgres refuses it
      let j = i + 1
      while (j < n && /[0-9]/.test(text[j])) j++
      out.push({ kind: 'operator', text: text.slice(i, j) })
      i = j
    } else {
      out.push({ kind: 'punct', text: c })
      i++
    }
  }
  return out
}

/** The statements `tokens` holds (empty ones between `;` not counted). */
export function statementCount(tokens: Token[]): number {
  let count = 0
  let open = false
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') {
      if (open) count++
      open = false
    } else {
      open = true
    }
  }
  return count + (open ? 1 : 0)
}

/**
 * Grammar words that a `(` may follow without being a function call (conditions, subqueries,
 * lists, CTEs, window and aggregate clauses, SQL-syntax expressions such as COALESCE or CAST
 * that call nothing a client could abuse).
 */
const NOT_FUNCTIONS = new Set(
  (
    'select from where join on using and or not in exists any all some values as with recursive lateral union intersect except having group by order limit offset ' +
    'case when then else end is between like ilike similar to cast extract position overlay substring trim coalesce nullif greatest least row array filter over within ' +
    'partition distinct rows range groups cube rollup grouping sets tablesample fetch for window at zone interval materialized only inner outer left right full cross natural ' +
    'asc desc nulls first last escape collate unnest_placeholder'
  ).split(' '),
)

export interface FunctionCall {
  /** schema when qualified (lower-cased unless quoted) */
  schema: string | null
  name: string
}

/**
 * Function calls: a name followed by `(`, unless it is a grammar word, a type's modifier
 * (`::numeric(10,2)`, `AS varchar(5)`), a column list after an alias (`AS t(a, b)`, `t(a)`) or a
 * CTE's name (`WITH q(a) AS`).
 */
export function functionCalls(tokens: Token[]): FunctionCall[] {
  const calls: FunctionCall[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    if ((t.kind !== 'word' && t.kind !== 'quoted') || tokens[i + 1]?.text !== '(' || tokens[i + 1].kind !== 'punct') continue
    if (t.kind === 'word' && NOT_FUNCTIONS.has(t.text)) continue
    let schema: string | null = null
    let start = i
    if (tokens[i - 1]?.kind === 'punct' && tokens[i - 1].text === '.' && (tokens[i - 2]?.kind === 'word' || tokens[i - 2]?.kind === 'quoted')) {
      schema = tokens[i - 2].text
      start = i - 2
    }
    const before = tokens[start - 1]
    if (before) {
      if (before.kind === 'operator' && before.text === '::') continue
      if (before.kind === 'word' && (before.text === 'as' || before.text === 'with' || before.text === 'recursive')) continue
      // an identifier right before a name: `tbl alias(cols)`, `character varying(5)`, `double precision`
      if ((before.kind === 'word' && !NOT_FUNCTIONS.has(before.text)) || before.kind === 'quoted') continue
    }
    calls.push({ schema, name: t.text })
  }
  return calls
}
