import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { UserRow } from '../db/schema.js'
import { tokenFromHeaders } from '../auth/tokens.js'
import { helpUrl, sendJson } from './envelope.js'

export interface AuthOptions {
  /** Resolves a token to its active user, or null. */
  users: { user(token: string): Promise<UserRow | null> }
  siteUrl: string
  /** Failed authentications allowed per client IP and minute; 0 = no limit. */
  failuresPerMinute: number
}

const ACTION_URL = /^\/api\/(?:3\/)?action\/([^/?#]+)/

/**
 * Resolves the API token once per request (request.authUser: the user, or null for anonymous and
 * for tokens that resolve to no user, which CKAN also treats as anonymous), and limits guessing:
 * a request that carries a token counts as a failed authentication when the token resolves to no
 * active user. After `failuresPerMinute` failures from one IP, every request from it that carries
 * a token is answered 429 until the window ends (so a correct guess is not revealed either);
 * requests without a token are never limited.
 */
async function authentication(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  app.decorateRequest('authUser', null)
  let limiter: ReturnType<FastifyInstance['createRateLimit']> | null = null
  if (opts.failuresPerMinute > 0) {
    await app.register(rateLimit, { global: false })
    limiter = app.createRateLimit({ max: opts.failuresPerMinute, timeWindow: 60_000 })
  }
  // IPs over the limit, with the end of their window: checked in memory on every token-carrying
  // request, so valid tokens pay nothing for the limiter; only failures go through it.
  const blocked = new Map<string, number>()
  app.addHook('onRequest', async (req, reply) => {
    const token = tokenFromHeaders(req.headers)
    if (!token) return
    if (limiter) {
      const until = blocked.get(req.ip)
      if (until !== undefined) {
        const left = Math.ceil((until - Date.now()) / 1000)
        if (left > 0) {
          reply.header('retry-after', String(left))
          return sendJson(reply, 429, tooMany(req, opts.siteUrl, left))
        }
        blocked.delete(req.ip)
      }
    }
    const user = await opts.users.user(token)
    req.authUser = user
    if (!user && limiter) {
      const state = await limiter(req)
      // isAllowed means allow-listed; isExceeded: this failure went over the limit
      if (!state.isAllowed && state.isExceeded) {
        // block the IP: block the IP for the rest of its window
        const left = Math.max(1, state.ttlInSeconds)
        if (blocked.size > 100_000) blocked.clear()
        blocked.set(req.ip, Date.now() + left * 1000)
        reply.header('retry-after', String(left))
        return sendJson(reply, 429, tooMany(req, opts.siteUrl, left))
      }
    }
  })
}

function tooMany(req: FastifyRequest, siteUrl: string, seconds: number) {
  const action = ACTION_URL.exec(req.url)?.[1]
  return {
    help: helpUrl(siteUrl, action ?? 'help_show'),
    success: false,
    error: { __type: 'Rate Limit Error', message: `Too many failed authentication attempts: retry in ${Math.max(1, seconds)} seconds` },
  }
}

export const authRateLimit = fp(authentication, { name: 'abierto-authentication', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller resolved from the API token (null: anonymous, or a token that resolves to no user). */
    authUser: UserRow | null
  }
}
