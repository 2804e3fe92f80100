import { sql, type Expression, type SqlBool } from 'kysely'
import { defineAction } from '../define.js'
import { visiblePackages } from '../../auth/authz.js'
import { containsPattern } from '../user/dict.js'

/** CKAN's search.rows_max: Solr never returns more rows than this. */
const MAX_ROWS = 1000
/** Shorter words match too many unrelated titles by trigrams; they need a real substring. */
const FUZZY_MIN_LENGTH = 4
/** Matches ranked per query: bounds the work when a common word matches thousands of datasets. */
const CANDIDATES = 500
const NAME_PREFIX_CANDIDATES = 50

export default defineAction({
  name: 'package_autocomplete',
  description:
    'Return up to `limit` (10) datasets whose name or title contains `q`, ignoring case and accents and tolerating small typos, best matches first, as [{name, title, match_field, match_displayed}]: match_field is "name" when q (lowercased) is part of the name, else "title" with match_displayed "<title> (<name>)". Active datasets only; private ones for those who may read them (as CKAN, which filters by the caller\'s permission labels).\n\nParams: q (required), limit.',
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['q'],
    additionalProperties: true,
    properties: {
      q: { type: 'string', description: 'the text to look for in names and titles' },
      limit: { type: 'integer', minimum: 0, default: 10, description: `at most this many (default 10, at most ${MAX_ROWS})` },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const q = p.q.trim()
    const limit = Math.min(p.limit, MAX_ROWS)
    if (q === '' || limit === 0) return []
    const folded = sql<string>`abierto_fold(${q})`
    // one expression for name and title together, which a trigram index can serve (see the report on indexes)
    const haystack = sql<string>`abierto_fold(package.name || ' ' || coalesce(package.title, ''))`
    const pattern = containsPattern(q)
    const substring = sql<SqlBool>`${haystack} LIKE abierto_fold(${pattern})`
    const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

    /**
     * Up to CANDIDATES matches (unordered, so a common word stops the scan early) plus the names
     * that start with q (the name index finds those however many match), then ranked: exact name or
     * title, name prefix, title prefix, substring, then trigram similarity and shorter titles.
     * Names are slugs (lowercase ASCII), so only titles need folding, once per candidate.
     */
    const ranked = (match: Expression<SqlBool>, namePrefix: boolean) => {
      const candidates = (where: Expression<SqlBool>, n: number) =>
        ctx.db
          .selectFrom('package')
          .select(['package.name', sql<string>`coalesce(nullif(package.title, ''), package.name)`.as('title'), sql<string>`abierto_fold(coalesce(package.title, ''))`.as('ft')])
          // CKAN's query.run adds +state:active when the query names no state: drafts stay out
          .where(visiblePackages(ctx, { includePrivate: true }))
          .where(where)
          .limit(n)
      return ctx.db
        .with(
          (cte) => cte('a').materialized(),
          () => candidates(match, CANDIDATES),
        )
        .with(
          (cte) => cte('b').materialized(),
          () => candidates(namePrefix ? sql<SqlBool>`package.name LIKE abierto_fold(${prefix})` : sql<SqlBool>`false`, NAME_PREFIX_CANDIDATES),
        )
        .with('c', (db) => db.selectFrom('a').selectAll().union(db.selectFrom('b').selectAll()))
        .selectFrom('c')
        .select(['c.name', 'c.title'])
        .orderBy(
          sql`CASE WHEN c.name = ${folded} OR c.ft = ${folded} THEN 0
          WHEN c.name LIKE abierto_fold(${prefix}) THEN 1
          WHEN c.ft LIKE abierto_fold(${prefix}) THEN 2
          WHEN c.name LIKE abierto_fold(${pattern}) OR c.ft LIKE abierto_fold(${pattern}) THEN 3 ELSE 4 END`,
        )
        .orderBy(sql`word_similarity(${folded}, c.name || ' ' || c.ft)`, 'desc')
        .orderBy(sql`length(c.title)`)
        .orderBy(sql`c.name collate "C"`)
        .limit(limit)
        .execute()
    }

    const rows = await ranked(substring, true)
    // typos only when the text itself is found too rarely: the costly part runs on few keystrokes
    if (rows.length < limit && [...q].length >= FUZZY_MIN_LENGTH) {
      // substring matches are all in rows already
      const fuzzy = sql<SqlBool>`(${folded} <% ${haystack} AND NOT ${substring})`
      rows.push(...(await ranked(fuzzy, false)).slice(0, limit - rows.length))
    }
    const lower = p.q.toLowerCase()
    return rows.map((r) => (r.name.includes(lower) ? { name: r.name, title: r.title, match_field: 'name', match_displayed: r.name } : { name: r.name, title: r.title, match_field: 'title', match_displayed: `${r.title} (${r.name})` }))
  },
})
