import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ActionRunner } from '../actions/runner.js'
import type { Caller } from '../actions/context.js'
import type { Config } from '../config.js'
import { NotAuthorized, NotFound, SearchError, SearchQueryError, ValidationError } from '../errors.js'
import type { PackageDict } from '../model/package-dict.js'
import { MEDIA_TYPES, type RdfFormat } from './write/serialize.js'
import { negotiate } from './negotiation.js'
import { isPublicDataset, PUBLIC_DATASETS } from './write/catalog.js'
import { DataJsonCatalog } from './data-json/write.js'
import { lookup } from '../lookup.js'

export interface DcatRoutesOptions {
  runner: ActionRunner
  resolveCaller: (req: FastifyRequest) => Promise<Caller>
  config: Config
  /** The dataset's HTML page, for requests to /dataset/{id} that ask for no RDF (browsers); default: 404. */
  page?: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>
  /** Datasets per package_search call while streaming /data.json (default 500). */
  dataJsonBatch?: number
}

/** The endpoint extensions (ckanext-dcat's CONTENT_TYPES); anything else is a 404. */
const EXTENSIONS: Record<string, RdfFormat> = { ttl: 'turtle', rdf: 'rdfxml', xml: 'rdfxml', jsonld: 'jsonld', n3: 'n3' }

const DATA_JSON_BATCH = 500

type Query = Record<string, string | string[] | undefined>

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v
}

function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(body)
}

/** ckanext-dcat's aborts: 403, 404, and 409 carrying the validation message. */
function failure(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof NotFound) return text(reply, 404, 'Not found')
  if (err instanceof NotAuthorized) return text(reply, 403, 'Not authorized')
  if (err instanceof ValidationError) {
    const msg = typeof err.fields.message === 'string' ? err.fields.message : JSON.stringify(err.fields)
    return text(reply, 409, msg)
  }
  if (err instanceof SearchQueryError) return text(reply, 400, `Search Query is invalid: ${err.message}`)
  if (err instanceof SearchError) return text(reply, 409, `Search error: ${err.message}`)
  throw err
}

/**
 * Catalog exchange endpoints: /catalog.{ext}, /dataset/{id}.{ext}, RDF content negotiation on
 * /dataset/{id}, and /data.json. Every read goes through the action runner with the caller's
 * identity; the catalog actions list public datasets only.
 */
export async function dcatRoutes(app: FastifyInstance, opts: DcatRoutesOptions): Promise<void> {
  const { runner, resolveCaller } = opts
  const batchSize = opts.dataJsonBatch ?? DATA_JSON_BATCH

  const rdf = async (req: FastifyRequest, reply: FastifyReply, action: string, params: Record<string, unknown>, format: RdfFormat) => {
    try {
      const body = (await runner.run(action, params, await resolveCaller(req), req.log)) as string
      return reply.code(200).header('content-type', `${MEDIA_TYPES[format]}; charset=utf-8`).send(body)
    } catch (err) {
      return failure(reply, err)
    }
  }

  app.get('/catalog.:ext', { schema: { hide: true } }, async (req, reply) => {
    const format = lookup(EXTENSIONS, (req.params as { ext: string }).ext)
    if (!format) return reply.callNotFound()
    const q = req.query as Query
    const profiles = q.profiles
    return rdf(
      req,
      reply,
      'dcat_catalog_show',
      {
        format,
        ...(one(q.page) !== undefined ? { page: one(q.page) } : {}),
        ...(one(q.modified_since) ? { modified_since: one(q.modified_since) } : {}),
        ...(one(q.q) ? { q: one(q.q) } : {}),
        ...(one(q.fq) ? { fq: one(q.fq) } : {}),
        ...(profiles ? { profiles: Array.isArray(profiles) ? profiles.join(',') : profiles } : {}),
      },
      format,
    )
  })

  app.get('/dataset/:id', { schema: { hide: true } }, async (req, reply) => {
    const ref = (req.params as { id: string }).id
    const dot = ref.lastIndexOf('.')
    let id = ref
    let format: RdfFormat | undefined
    if (dot > 0) {
      // dataset names and ids never contain a dot: whatever follows one is an extension
      format = lookup(EXTENSIONS, ref.slice(dot + 1))
      if (!format) return reply.callNotFound()
      id = ref.slice(0, dot)
    } else {
      reply.header('vary', 'Accept')
      format = negotiate(req.headers.accept)
      // no RDF asked for: the dataset's page
      if (!format) return opts.page ? opts.page(req, reply) : reply.callNotFound()
    }
    const profiles = (req.query as Query).profiles
    return rdf(req, reply, 'dcat_dataset_show', { id, format, ...(profiles ? { profiles: Array.isArray(profiles) ? profiles.join(',') : profiles } : {}) }, format)
  })

  app.get('/data.json', { schema: { hide: true } }, async (req, reply) => {
    const caller = await resolveCaller(req)
    const search = async (start: number) =>
      (await runner.run(
        'package_search',
        {
          q: '*:*',
          fq_list: PUBLIC_DATASETS,
          // by id: a stable order, so a dataset edited while the catalog streams is neither lost nor repeated
          sort: 'id asc',
          rows: batchSize,
          start,
          include_private: false,
          facet: 'false',
        },
        caller,
        req.log,
      )) as { value(): unknown }
    // the first batch is fetched before answering, so a failing search is still an error status
    const first = (await search(0)).value() as { count: number; results: PackageDict[] }
    const site = { url: opts.config.siteUrl, title: opts.config.siteTitle, description: opts.config.siteDescription }
    async function* body(): AsyncGenerator<string> {
      const catalog = new DataJsonCatalog(site)
      yield catalog.head()
      let sep = ''
      let batch = first
      let start = 0
      for (;;) {
        const parts = batch.results.filter(isPublicDataset).map((d) => catalog.dataset(d))
        if (parts.length) {
          yield sep + parts.join(',')
          sep = ','
        }
        start += batchSize
        if (batch.results.length < batchSize || start >= batch.count) break
        batch = (await search(start)).value() as typeof first
      }
      yield catalog.tail()
    }
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(Readable.from(body()))
  })
}
