import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { UserRow } from '../db/schema.js'
import { hashToken, tokenFromHeaders } from '../auth/tokens.js'
import { helpUrl, sendJson } from './envelope.js'

export interface AuthOptions {
  /** Resolves a token to its active user, or null. */
  users: { user(token: string): Promise<UserRow | null> }
  siteUrl: string
  /** Failed authentications allowed per client IP and minute; 0 = no limit. */
  failuresPerMinute: number
  /** Writes allowed per API token and minute; 0 = no limit. */
  writesPerMinute: number
  /** Whether the named action writes (is not side-effect free): only those count as writes. */
  isWriteAction(name: string): boolean
}

const ACTION_URL = /^\/api\/(?:3\/)?action\/([^/?#]+)/

/**
 * Resolves the API token once per request (request.authUser: the user, or null for anonymous and
 * for tokens that resolve to no user, which CKAN also treats as anonymous), and applies two limits:
 *
 * - failed authentications, per client IP: past `failuresPerMinute` tokens that resolve to no
 *   active user, further requests from that IP with such tokens get 429 until the window ends.
 *   A request whose token is valid is never refused by it: behind a proxy every client shares
 *   one IP, and one client's bad tokens must not lock the others out. Requests without a token
 *   are never limited.
 * - writes, per token: past `writesPerMinute` POSTs of actions that write, further writes with
 *   that token get 429 until the window ends (reads are not counted). Sysadmins' tokens are not
 *   limited: they migrate whole catalogues with ckanapi, which gives up at the first 429 (CKAN
 *   has no such limit), and a sysadmin can do anything a limit would hold back anyway.
 */
async function authentication(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  app.decorateRequest('authUser', null)
  const limiting = opts.failuresPerMinute > 0 || opts.writesPerMinute > 0
  if (limiting) await app.register(rateLimit, { global: false })
  // each limiter keeps its own counters (a child store of the plugin's)
  const failures = opts.failuresPerMinute > 0 ? app.createRateLimit({ max: opts.failuresPerMinute, timeWindow: 60_000 }) : null
  const writes = opts.writesPerMinute > 0 ? app.createRateLimit({ max: opts.writesPerMinute, timeWindow: 60_000, keyGenerator: (req) => `token:${hashToken(tokenFromHeaders(req.headers) ?? '')}` }) : null
  app.addHook('onRequest', async (req, reply) => {
    const token = tokenFromHeaders(req.headers)
    if (!token) return
    const user = await opts.users.user(token)
    req.authUser = user
    if (!user) {
      if (!failures) return
      const state = await failures(req)
      // isAllowed means allow-listed; isExceeded: this failure is over the limit
      if (!state.isAllowed && state.isExceeded) return refuse(req, reply, state.ttlInSeconds, 'Too many failed authentication attempts')
      return
    }
    if (writes && req.method === 'POST' && !user.sysadmin) {
      const action = ACTION_URL.exec(req.url)?.[1]
      if (action === undefined || !opts.isWriteAction(action)) return
      const state = await writes(req)
      if (!state.isAllowed && state.isExceeded) return refuse(req, reply, state.ttlInSeconds, 'Too many writes with this API token')
    }
  })
  function refuse(req: FastifyRequest, reply: FastifyReply, ttlSeconds: number, what: string) {
    const left = Math.max(1, ttlSeconds)
    reply.header('retry-after', String(left))
    return sendJson(reply, 429, tooMany(req, opts.siteUrl, left, what))
  }
}

function tooMany(req: FastifyRequest, siteUrl: string, seconds: number, what: string) {
  const action = ACTION_URL.exec(req.url)?.[1]
  return {
    help: helpUrl(siteUrl, action ?? 'help_show'),
    success: false,
    error: { __type: 'Rate Limit Error', message: `${what}: retry in ${Math.max(1, seconds)} seconds` },
  }
}

export const authRateLimit = fp(authentication, { name: 'abierto-authentication', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller resolved from the API token (null: anonymous, or a token that resolves to no user). */
    authUser: UserRow | null
  }
}
