import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ActionRunner } from '../actions/runner.js'
import type { AnyAction } from '../actions/define.js'
import type { Caller } from '../actions/context.js'
import { BadRequest } from '../errors.js'
import { errorAnswer, helpUrl, sendJson } from './envelope.js'
import { requestData } from './request-data.js'
import { RawJson } from '../cache/read-cache.js'
import { discardUpload, isMultipart, multipartData, type UploadOptions } from '../storage/multipart.js'

export interface ActionRoutesOptions {
  runner: ActionRunner
  siteUrl: string
  resolveCaller: (req: FastifyRequest) => Promise<Caller>
  /** multipart bodies: the `upload` file goes to this store (without it, multipart is refused) */
  uploads?: UploadOptions
  /** extra GET paths answering as a side-effect-free action, query string as its params (e.g. /api/3/changes) */
  aliases?: Record<string, string>
}

const ANONYMOUS: Caller = { user: null }
const PREFIXES = ['/api/3/action', '/api/action']

/** JSONP for GET: the callback is HTML-escaped as CKAN does. */
function escapeCallback(cb: string): string {
  return cb.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/**
 * One GET+POST route per registered action under both prefixes, plus CKAN's answers for unknown
 * actions. This plugin knows nothing of datasets: it maps requests to the runner and results or
 * errors to the envelope.
 */
export async function actionRoutes(app: FastifyInstance, opts: ActionRoutesOptions): Promise<void> {
  const { runner, siteUrl, resolveCaller } = opts

  const handle = async (action: AnyAction, req: FastifyRequest, reply: FastifyReply) => {
    const help = helpUrl(siteUrl, action.name)
    let data: Record<string, unknown> | undefined
    try {
      if (req.method === 'GET' && !action.sideEffectFree) {
        throw new BadRequest('Bad request - JSON Error: Invalid request. Please use POST method for your request')
      }
      data = opts.uploads && isMultipart(req) ? await multipartData(req, opts.uploads, async (fields) => runner.authorize(action.name, fields, await resolveCaller(req), req.log)) : requestData(req, action.sideEffectFree)
      let caller: Caller
      let callback: string | undefined
      if (typeof data.callback === 'string' || Array.isArray(data.callback)) {
        // CKAN drops the identity when a callback is present: a cross-site <script> must not act as the user
        callback = req.method === 'GET' ? String(Array.isArray(data.callback) ? data.callback[0] : data.callback) : undefined
        delete data.callback
        caller = ANONYMOUS
      } else {
        caller = await resolveCaller(req)
      }
      // a staged file the action did not take (failure, or an action without uploads) is removed before answering
      const result = await runner.run(action.name, data, caller, req.log, undefined, req.url).finally(() => discardUpload(data))
      if (result instanceof RawJson && callback === undefined) {
        // already-serialised result (read cache): splice it in rather than parse and re-serialise
        return reply.code(200).header('content-type', 'application/json;charset=utf-8').send(result.envelope(help))
      }
      const body = { help, success: true, result: result === undefined ? null : result instanceof RawJson ? result.value() : result }
      if (callback !== undefined) {
        return reply
          .code(200)
          .header('content-type', 'application/javascript;charset=utf-8')
          .send(`${escapeCallback(callback)}(${JSON.stringify(body)});`)
      }
      return sendJson(reply, 200, body)
    } catch (err) {
      const { status, body } = errorAnswer(err, help, req)
      return sendJson(reply, status, body)
    }
  }

  for (const action of runner.registry.all()) {
    for (const prefix of PREFIXES) {
      const documented = prefix === '/api/3/action'
      const common = {
        hide: !documented,
        summary: action.description.split('\n')[0],
        description: action.description,
        tags: [action.name.split('_')[0]],
      }
      // Schemas are for the OpenAPI document only: the runner validates, after CKAN-style
      // coercion of form and query strings, so Fastify's own validation is switched off.
      const noValidation = () => () => true
      app.route({
        method: 'POST',
        url: `${prefix}/${action.name}`,
        exposeHeadRoute: false,
        schema: { ...common, operationId: documented ? action.name : undefined, body: action.params },
        validatorCompiler: noValidation,
        handler: (req, reply) => handle(action, req, reply),
      })
      app.route({
        method: 'GET',
        url: `${prefix}/${action.name}`,
        exposeHeadRoute: false,
        schema: action.sideEffectFree ? { ...common, operationId: documented ? `${action.name}_get` : undefined, querystring: action.params } : { ...common, hide: true },
        ...(action.sideEffectFree ? { validatorCompiler: noValidation } : {}),
        handler: (req, reply) => handle(action, req, reply),
      })
    }
  }

  for (const [url, name] of Object.entries(opts.aliases ?? {})) {
    const action = runner.registry.get(name)
    // an app built with a smaller registry (tests) simply has no alias
    if (!action) continue
    if (!action.sideEffectFree) throw new Error(`route alias ${url}: ${name} is not a registered side-effect-free action`)
    app.route({
      method: 'GET',
      url,
      exposeHeadRoute: false,
      // documented in the action's description: the OpenAPI document lists actions only
      schema: { hide: true },
      handler: (req, reply) => handle(action, req, reply),
    })
  }

  const unknown = async (req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => sendJson(reply, 400, `Bad request - Action name not known: ${req.params.name}`)
  for (const prefix of PREFIXES) {
    app.route({ method: ['GET', 'POST'], url: `${prefix}/:name`, schema: { hide: true }, handler: unknown })
  }

  // CKAN's API version probes: /api → 1, /api/N → N
  app.get('/api', { schema: { hide: true } }, async (_req, reply) => sendJson(reply, 200, { version: 1 }))
  app.get('/api/', { schema: { hide: true } }, async (_req, reply) => sendJson(reply, 200, { version: 1 }))
  for (const v of [1, 2, 3]) {
    app.get(`/api/${v}`, { schema: { hide: true } }, async (_req, reply) => sendJson(reply, 200, { version: v }))
    app.get(`/api/${v}/`, { schema: { hide: true } }, async (_req, reply) => sendJson(reply, 200, { version: v }))
  }
}
