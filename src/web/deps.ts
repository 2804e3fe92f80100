import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ActionRunner } from '../actions/runner.js'
import type { Caller } from '../actions/context.js'
import type { Config } from '../config.js'
import type { BlobStore } from '../storage/blob-store.js'
import type { OutboundPolicy } from '../net/outbound.js'
import { RawJson } from '../cache/read-cache.js'
import { NotAuthorized, NotFound, SearchError, SearchQueryError, ValidationError } from '../errors.js'
import type { PageRenderer } from './render.js'
import { fieldMessages } from '../bulk/line-errors.js'

/** What page handlers may use: pages read only through actions, so a page never shows what its action would not. */
export interface WebDeps {
  runner: ActionRunner
  resolveCaller: (req: FastifyRequest) => Promise<Caller>
  config: Config
  storage: BlobStore
  outbound: OutboundPolicy
  render: PageRenderer
}

/** Runs an action as the visitor (anonymous unless the request carries an API token) and returns its plain result. */
export async function act<T = any>(deps: WebDeps, req: FastifyRequest, name: string, params: Record<string, unknown>): Promise<T> {
  const out = await deps.runner.run(name, params, await deps.resolveCaller(req), req.log)
  return (out instanceof RawJson ? out.value() : out) as T
}

/** The HTML 404: unknown paths for browsers, and what CKAN's views answer for anything the visitor may not see. */
export function notFoundPage(deps: Pick<WebDeps, 'render'>, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return deps.render.send(req, reply, 'error.njk', { status: 404 }, 404)
}

/** The HTML answers to an action's refusal; anything else is a server error, left to the error handler. */
export function pageError(deps: WebDeps, req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof NotFound) return notFoundPage(deps, req, reply)
  if (err instanceof NotAuthorized) return deps.render.send(req, reply, 'error.njk', { status: 403 }, 403)
  if (err instanceof ValidationError || err instanceof SearchQueryError || err instanceof SearchError) {
    const message = err instanceof ValidationError ? (typeof err.fields.message === 'string' ? err.fields.message : fieldMessages(err).join('; ')) : err.message
    return deps.render.send(req, reply, 'error.njk', { status: 400, message }, 400)
  }
  throw err
}

/** One value of a query parameter that may be repeated (`?tags=a&tags=b`): the last one. */
export function one(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[v.length - 1] : v
  return typeof x === 'string' ? x : undefined
}

/** Every value of a query parameter, repeated or not. */
export function all(v: unknown): string[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x !== '')
}
