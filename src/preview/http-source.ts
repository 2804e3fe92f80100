import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import { BlockedAddressError, checkLiteralHost, outboundAgents, type OutboundPolicy } from '../net/outbound.js'
import { PreviewFailure } from './failure.js'
import { cachedRandomAccess, FIRST_WINDOW, memoryRandomAccess, readUpTo, windowedStream, type Head, type RandomAccess } from './source.js'

/**
 * Linked resources, fetched through the outbound policy's agents: every connection (each redirect
 * hop too) goes to an address the SSRF guard allows. Failures become PreviewFailure codes; the
 * remote's body and error text never reach the page.
 */
export interface HttpOptions {
  policy: OutboundPolicy
  /** aborts connecting and reading alike: the preview's whole budget */
  signal: AbortSignal
}

const MAX_REDIRECTS = 5
const USER_AGENT = 'Abierto-preview/0.1'

/** GET `url` following redirects; resolves with the final response's headers, its body unread. */
export async function guardedGet(url: string, opts: HttpOptions, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  let current = url
  for (let hop = 0; ; hop++) {
    let target: URL
    try {
      target = new URL(current)
    } catch {
      throw new PreviewFailure('unreachable', 'invalid-url')
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new PreviewFailure('unreachable', 'scheme')
    let res: http.IncomingMessage
    try {
      checkLiteralHost(opts.policy, target)
      const agents = outboundAgents(opts.policy)
      const options = { headers: { 'user-agent': USER_AGENT, ...headers }, signal: opts.signal }
      res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = target.protocol === 'https:' ? https.get(target, { ...options, agent: agents.https }, resolve) : http.get(target, { ...options, agent: agents.http }, resolve)
        req.on('error', reject)
      })
    } catch (err) {
      throw new PreviewFailure('unreachable', describe(err))
    }
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume()
      if (hop >= MAX_REDIRECTS) throw new PreviewFailure('unreachable', 'redirects')
      current = new URL(res.headers.location, current).toString()
      continue
    }
    if (status < 200 || status >= 300) {
      res.resume()
      throw new PreviewFailure('unreachable', `http-${status}`)
    }
    // a failure while reading the body (reset, timeout) is the remote's too
    res.on('error', () => {})
    return res
  }
}

function describe(err: unknown): string {
  if (err instanceof BlockedAddressError) return 'blocked'
  const e = err as { name?: string; code?: string; cause?: { code?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout'
  return (e?.code ?? e?.cause?.code ?? 'network').toLowerCase()
}

function contentType(res: http.IncomingMessage): string | null {
  const type = res.headers['content-type']
  return typeof type === 'string' ? type : null
}

/** The total size from `Content-Range: bytes a-b/total`, when given. */
function rangeTotal(res: http.IncomingMessage): number | null {
  const m = /\/(\d+)\s*$/.exec(res.headers['content-range'] ?? '')
  return m ? Number(m[1]) : null
}

/** GET [start, end) with a Range header; anything but a 206 answer fails. */
async function getRange(url: string, opts: HttpOptions, start: number, end: number): Promise<Readable> {
  const res = await guardedGet(url, opts, { range: `bytes=${start}-${end - 1}` })
  if (res.statusCode !== 206) {
    res.destroy()
    throw new PreviewFailure('unreadable', 'range-ignored')
  }
  return res
}

/** The first `maxBytes` of a remote file: by Range windows when the server answers them, else the start of its whole body. */
export async function httpHead(url: string, opts: HttpOptions, maxBytes: number): Promise<Head> {
  const firstEnd = Math.min(maxBytes, FIRST_WINDOW)
  const res = await guardedGet(url, opts, { range: `bytes=0-${firstEnd - 1}` })
  const type = contentType(res)
  if (res.statusCode === 206) {
    const size = rangeTotal(res)
    const end = size === null ? firstEnd : Math.min(size, maxBytes)
    return { body: windowedStream((a, b) => getRange(url, opts, a, b), 0, end, { body: res, end: firstEnd }), size, contentType: type }
  }
  const length = Number(res.headers['content-length'] ?? NaN)
  return { body: res, size: Number.isFinite(length) ? length : null, contentType: type }
}

/**
 * A remote file by position: Range requests when the server answers them with 206; otherwise the
 * whole body in memory, if it is at most `memoryCap` bytes (else too-large).
 */
export async function httpRandomAccess(url: string, opts: HttpOptions, memoryCap: number): Promise<{ ra: RandomAccess; contentType: string | null }> {
  const probe = await guardedGet(url, opts, { range: 'bytes=0-0' })
  const type = contentType(probe)
  if (probe.statusCode === 206) {
    probe.resume()
    const size = rangeTotal(probe)
    if (size === null) throw new PreviewFailure('unreadable', 'content-range')
    if (size === 0) throw new PreviewFailure('empty')
    const fetchRange = async (start: number, end: number): Promise<Readable> => (end - start <= FIRST_WINDOW ? getRange(url, opts, start, end) : windowedStream((a, b) => getRange(url, opts, a, b), start, end))
    return { ra: cachedRandomAccess(size, fetchRange), contentType: type }
  }
  const declared = Number(probe.headers['content-length'] ?? NaN)
  if (declared > memoryCap) {
    probe.destroy()
    throw new PreviewFailure('too-large', 'no-range-support')
  }
  const { bytes, more } = await readUpTo(probe, memoryCap)
  if (more) throw new PreviewFailure('too-large', 'no-range-support')
  if (bytes.length === 0) throw new PreviewFailure('empty')
  return { ra: memoryRandomAccess(bytes), contentType: type }
}
