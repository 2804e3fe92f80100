import http from 'node:http'
import https from 'node:https'
import { BlockedAddressError, checkLiteralHost, outboundAgents, type OutboundPolicy } from '../../net/outbound.js'

/**
 * Remote reads for harvesters: every failure (refused connection, timeout, HTTP error, body over
 * the size cap, HTML where data was expected) becomes a RemoteError whose message is fit for a
 * job report, naming the URL. Nothing here throws anything else. Job reports are read by the
 * source's editors: messages carry the URL, the status and the content type, never the remote's
 * body (a fetch of an internal page must not hand its text back to whoever asked for it).
 */

export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message)
  }
}

export interface FetchOptions {
  /** which addresses may be connected to (every hop of a redirect is checked) */
  policy: OutboundPolicy
  headers?: Record<string, string>
  timeoutMs?: number
  maxBytes?: number
}

export interface RemoteResponse {
  url: string
  status: number
  contentType: string | null
  body: string
}

export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024

/** Per-source request timeout: config `request_timeout` in seconds (an Abierto addition), else 30 s. */
export function timeoutMs(config: Record<string, unknown>): number {
  const s = Number(config.request_timeout)
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_TIMEOUT_MS
}

export function userAgent(config: Record<string, unknown>): string {
  return typeof config.user_agent === 'string' && config.user_agent ? config.user_agent : 'Abierto-harvester/0.1 (+https://github.com/)'
}

/**
 * GET `url`; non-2xx answers are returned (callers decide), transport failures throw RemoteError.
 * Node's http/https rather than fetch(): fetch refuses the browser "bad ports" (5060, 6000, …),
 * which say nothing about a server-to-server harvest.
 */
export async function getText(url: string, opts: FetchOptions): Promise<RemoteResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
  const signal = AbortSignal.timeout(timeoutMs)
  let current = url
  for (let redirects = 0; ; redirects++) {
    let target: URL
    try {
      target = new URL(current)
    } catch {
      throw new RemoteError(`Unable to get content for URL: ${current}: not a valid URL`)
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new RemoteError(`Unable to get content for URL: ${current}: only http and https are supported`)
    let res: http.IncomingMessage
    try {
      checkLiteralHost(opts.policy, target)
      const agents = outboundAgents(opts.policy)
      res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = target.protocol === 'https:' ? https.get(target, { headers: opts.headers, signal, agent: agents.https }, resolve) : http.get(target, { headers: opts.headers, signal, agent: agents.http }, resolve)
        req.on('error', reject)
      })
    } catch (err) {
      throw new RemoteError(`Unable to get content for URL: ${current}: ${describe(err, timeoutMs)}`)
    }
    const status = res.statusCode ?? 0
    const location = res.headers.location
    if (status >= 300 && status < 400 && location) {
      res.resume()
      if (redirects >= 5) throw new RemoteError(`Unable to get content for URL: ${url}: too many redirects`, status)
      current = new URL(location, current).toString()
      continue
    }
    const declared = Number(res.headers['content-length'] ?? NaN)
    if (declared > maxBytes) {
      res.destroy()
      throw new RemoteError(`Remote file is too big (${declared} bytes, the limit is ${maxBytes}): ${current}`, status)
    }
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.byteLength
        if (size > maxBytes) {
          res.destroy()
          throw new RemoteError(`Remote file is too big (over ${maxBytes} bytes): ${current}`, status)
        }
        chunks.push(chunk)
      }
    } catch (err) {
      if (err instanceof RemoteError) throw err
      throw new RemoteError(`Unable to get content for URL: ${current}: ${describe(err, timeoutMs)}`, status)
    }
    const type = res.headers['content-type']
    return { url: current, status, contentType: typeof type === 'string' ? type : null, body: Buffer.concat(chunks).toString('utf8') }
  }
}

/** GET and parse JSON; an HTTP error or a non-JSON body (an HTML error page, a login wall) is a RemoteError. */
export async function getJson(url: string, opts: FetchOptions): Promise<unknown> {
  const res = await getText(url, opts)
  if (res.status < 200 || res.status >= 300) {
    throw new RemoteError(`Unable to get content for URL: ${url}: HTTP error ${res.status}`, res.status)
  }
  try {
    return JSON.parse(res.body)
  } catch {
    throw new RemoteError(`Unable to decode the response of ${url} as JSON (HTTP ${res.status}, Content-Type ${res.contentType ?? 'none'})`, res.status)
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof BlockedAddressError) return `refused: ${err.message}`
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${Math.round(timeoutMs / 1000)} s`
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err)
}
