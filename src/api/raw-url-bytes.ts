import { Duplex } from 'node:stream'
import type { Server } from 'node:http'

/**
 * `curl '…/package_search?q=energía'` sends the UTF-8 bytes of "í" as they are. Node's HTTP parser
 * refuses any byte ≥ 0x80 in a request line (there is no option to allow it), while nginx or
 * Apache in front of CKAN pass them on and Werkzeug decodes them as UTF-8. To answer as CKAN
 * behind such a server does, a request refused for that reason alone is read again with those
 * bytes percent-encoded, which decodes to the same text.
 */

/** How many times one connection may be re-read (each keep-alive request with raw bytes is one). */
const MAX_RETRIES = 16
const RETRIES = Symbol('abierto.rawUrlRetries')

type Conn = Duplex & { [RETRIES]?: number; _httpMessage?: unknown; remoteAddress?: string; remotePort?: number; remoteFamily?: string }

/** The packet with its request line's raw bytes ≥ 0x80 percent-encoded; null when the first line is not such a request line. */
export function percentEncodeRequestLine(packet: Buffer): Buffer | null {
  const eol = packet.indexOf('\r\n')
  if (eol < 0) return null
  const line = packet.subarray(0, eol)
  const first = line.indexOf(0x20)
  const last = line.lastIndexOf(0x20)
  if (first <= 0 || last <= first) return null
  const method = line.subarray(0, first).toString('latin1')
  const version = line.subarray(last + 1).toString('latin1')
  if (!/^[A-Z]+$/.test(method) || !/^HTTP\/1\.[01]$/.test(version)) return null
  let target = ''
  let raw = false
  for (const b of line.subarray(first + 1, last)) {
    if (b >= 0x80) {
      target += `%${b.toString(16).toUpperCase()}`
      raw = true
    } else if (b <= 0x20 || b === 0x7f) {
      return null
    } else {
      target += String.fromCharCode(b)
    }
  }
  if (!raw) return null
  return Buffer.concat([Buffer.from(`${method} ${target} ${version}`, 'latin1'), packet.subarray(eol)])
}

/**
 * From the server's clientError handler: when `err` is the parser refusing raw bytes in the first
 * request line of the packet it was reading, and no earlier response is still being written,
 * hands the connection back to `server` as a new one whose bytes start with that request,
 * percent-encoded. False when it does not apply (the caller answers 400).
 */
export function rereadPercentEncoded(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex, server: Server): boolean {
  const conn = socket as Conn
  if (err.code !== 'HPE_INVALID_URL' || !Buffer.isBuffer(err.rawPacket) || conn.destroyed || conn._httpMessage) return false
  const retries = conn[RETRIES] ?? 0
  if (retries >= MAX_RETRIES) return false
  const packet = percentEncodeRequestLine(err.rawPacket)
  if (!packet) return false

  // the old parser must see nothing more; its close handler still runs and frees it
  for (const event of ['data', 'end', 'error']) socket.removeAllListeners(event)
  const wrapped = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, encoding, done) => void socket.write(chunk, encoding, done),
    final: (done) => void socket.end(done),
    destroy: (e, done) => {
      socket.destroy(e ?? undefined)
      done(e)
    },
  }) as Conn
  wrapped[RETRIES] = retries + 1
  for (const key of ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort', 'encrypted'] as const) {
    Object.defineProperty(wrapped, key, { get: () => (socket as unknown as Record<string, unknown>)[key] })
  }
  const passThrough =
    (name: string) =>
    (...args: unknown[]) => {
      const fn = (socket as unknown as Record<string, unknown>)[name]
      if (typeof fn === 'function') fn.apply(socket, args)
      return wrapped
    }
  Object.assign(wrapped, { setTimeout: passThrough('setTimeout'), setNoDelay: passThrough('setNoDelay'), setKeepAlive: passThrough('setKeepAlive') })
  socket.on('data', (chunk: Buffer) => {
    if (!wrapped.push(chunk)) socket.pause()
  })
  socket.on('end', () => wrapped.push(null))
  socket.on('error', (e) => wrapped.destroy(e))
  socket.on('close', () => wrapped.destroy())
  wrapped.push(packet)
  server.emit('connection', wrapped)
  return true
}
