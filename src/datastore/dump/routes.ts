import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type pg from 'pg'
import type { ActionRunner } from '../../actions/runner.js'
import type { Caller } from '../../actions/context.js'
import { asBool } from '../../actions/params.js'
import { NotAuthorized, NotFound, ValidationError } from '../../errors.js'
import { prepareSearch, textOrObject, type PreparedSearch } from '../search/prepare.js'
import type { SearchOptions } from '../search/plan.js'
import { textConfig } from '../search/text-config.js'
import { isQueryError, pgCode } from '../read-transaction.js'
import { dumpChunks } from './stream.js'
import { CONTENT_TYPES, DUMP_FORMATS, type DumpFormat } from './writers.js'

/**
 * GET /datastore/dump/{resource_id}: a DataStore table as a CSV, TSV, JSON or XML file (CKAN's
 * dump view). Whoever may not read the resource gets the same 404 as for a table that does not
 * exist; bad parameters are a 400 in plain text, as CKAN answers them.
 */

export interface DumpRoutesOptions {
  runner: ActionRunner
  db: Kysely<any>
  /** COPY for CSV/TSV; without it those formats go through a cursor too */
  pool?: pg.Pool
  resolveCaller: (req: FastifyRequest) => Promise<Caller>
}

interface DumpParams {
  format: DumpFormat
  bom: boolean
  search: SearchOptions & { language?: string }
}

function text(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(message)
}

/** CKAN's dump_schema; the errors as its `<param>: <message>` lines. */
function dumpParams(query: Record<string, string>): { params: DumpParams; errors: string[] } {
  const errors: string[] = []
  const int = (key: string): number | undefined => {
    const v = query[key]
    if (v === undefined) return undefined
    if (!/^\s*-?\d+\s*$/.test(v)) {
      errors.push(`${key}: Invalid integer`)
      return undefined
    }
    return Number(v)
  }
  const bool = (key: string): boolean | undefined => (query[key] === undefined ? undefined : asBool(query[key]) === true)
  // in dump_schema's order
  const offset = int('offset') ?? 0
  const limit = int('limit')
  if (limit !== undefined && limit < 0) errors.push('limit: Must be a natural number')
  const format = (query.format ?? 'csv') as DumpFormat
  if (!DUMP_FORMATS.includes(format)) errors.push(`format: Value must be one of ('csv', 'tsv', 'json', 'xml')`)
  let filters: Record<string, unknown> | undefined
  if (query.filters !== undefined) {
    try {
      const v: unknown = JSON.parse(query.filters)
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('not an object')
      filters = v as Record<string, unknown>
    } catch {
      errors.push('filters: Cannot parse JSON')
    }
  }
  return {
    errors,
    params: {
      format,
      bom: bool('bom') ?? false,
      search: {
        q: textOrObject(query.q),
        filters,
        fields: query.fields,
        sort: query.sort ?? '_id',
        distinct: bool('distinct'),
        plain: bool('plain'),
        language: query.language,
        limit: limit ?? null,
        offset,
      },
    },
  }
}

function firstMessage(err: ValidationError): string {
  return Object.entries(err.fields)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`)
    .join('\n')
}

export async function dumpRoutes(app: FastifyInstance, opts: DumpRoutesOptions): Promise<void> {
  const { runner, db, pool, resolveCaller } = opts

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/datastore/dump/:id', { schema: { hide: true }, exposeHeadRoute: false }, async (req, reply) => {
    const id = req.params.id
    const query: Record<string, string> = {}
    // repeated keys: the first wins (werkzeug's args.to_dict())
    for (const [k, v] of new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '')) if (!(k in query)) query[k] = v
    const { params, errors } = dumpParams(query)
    const ctx = runner.context(await resolveCaller(req), req.log, db)

    let prepared: PreparedSearch
    try {
      prepared = await prepareSearch(ctx, id, errors.length ? {} : params.search)
    } catch (err) {
      if (err instanceof NotFound || err instanceof NotAuthorized) return text(reply, 404, 'DataStore resource not found')
      if (err instanceof ValidationError) return text(reply, 400, firstMessage(err))
      throw err
    }
    if (errors.length) return text(reply, 400, errors.join('\n'))

    const chunks = dumpChunks({ db, pool }, { plan: prepared.plan, source: prepared.source, textConfig: await textConfig(db, params.search.language), format: params.format, bom: params.bom })
    let first: IteratorResult<string | Buffer>
    try {
      first = await chunks.next()
    } catch (err) {
      if (isQueryError(pgCode(err))) return text(reply, 400, `query: ${(err as Error).message}`)
      // a value COPY cannot carry (a NUL)
      if (err instanceof RangeError) return text(reply, 400, `query: ${err.message}`)
      throw err
    }
    async function* all(): AsyncGenerator<string | Buffer> {
      if (!first.done) yield first.value
      yield* chunks
    }
    return reply
      .code(200)
      .header('content-type', CONTENT_TYPES[params.format])
      .header('content-disposition', `attachment; filename="${id}.${params.format}"`)
      .send(Readable.from(all(), { objectMode: false }))
  })
}
