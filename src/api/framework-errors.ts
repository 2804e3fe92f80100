import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { NotFound, RequestRefused } from '../errors.js'
import { errorAnswer, helpUrl, sendJson } from './envelope.js'
import { rereadPercentEncoded } from './raw-url-bytes.js'
import { wantsHtml } from '../web/render.js'

const ACTION_URL = /^\/api\/(?:3\/)?action\/([A-Za-z0-9_]+)/

function answer(siteUrl: string, req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const help = helpUrl(siteUrl, ACTION_URL.exec(req.url)?.[1] ?? 'help_show')
  const { status, body } = errorAnswer(err, help, req)
  return sendJson(reply, status, body)
}

/**
 * Failures Fastify detects itself (no route, body over the limit, bad content length, a path
 * that is not valid percent-encoding, a path parameter over maxParamLength) in CKAN's envelope.
 * CKAN has no JSON answer for these (its web server or Flask answers in HTML), so there is no
 * bare string to keep: an envelope is what API clients such as ckanapi can read.
 * Any other error reaching Fastify is ours: a 500 without its text (logged with the request id).
 */
export function installErrorAnswers(app: FastifyInstance, siteUrl: string, bodyLimitMb: number, pages?: { notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply }): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode
    if (!status || status < 400 || status >= 500) return answer(siteUrl, req, reply, err)
    const message = status === 413 ? `Request body larger than ${bodyLimitMb} MB` : err.message
    return answer(siteUrl, req, reply, new RequestRefused(status, `Bad request - ${message}`))
  })
  app.setNotFoundHandler((req, reply) => {
    // a browser following a dead link gets a page; the API (and anything not asking for HTML) keeps CKAN's envelope
    if (pages && req.method === 'GET' && !req.url.startsWith('/api') && wantsHtml(req)) return pages.notFound(req, reply)
    return answer(siteUrl, req, reply, new NotFound(`${req.method} ${req.url.split('?')[0]}`))
  })
}

/** Fastify's `frameworkErrors` option: the path errors it would otherwise answer outside the envelope. */
export function frameworkErrors(siteUrl: string) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : err.statusCode && err.statusCode < 500 ? err.statusCode : 400
    const message = status === 414 ? 'URI Too Long: a path segment is too long' : 'the URL path is not valid percent-encoding'
    return answer(siteUrl, req, reply, new RequestRefused(status, `Bad request - ${message}`))
  }
}

/**
 * Node's HTTP parser refusals, before any request exists (Fastify's `clientErrorHandler`):
 * headers or URL over maxHeaderSize (431), malformed HTTP (400), a client too slow to send its
 * headers (408). Raw UTF-8 in a request line is read again percent-encoded (raw-url-bytes.ts).
 * Answered as JSON envelopes on the raw socket, then the connection is closed as Node would.
 */
export function clientErrorHandler(siteUrl: string) {
  return function (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket) {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    if (rereadPercentEncoded(err, socket, this.server)) return
    let status = 400
    let message = 'Bad request - malformed HTTP request'
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      status = 431
      message = 'Bad request - the request line or headers are larger than the server accepts'
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408
      message = 'Bad request - the request was not received in time'
    } else if (err.code === 'HPE_INVALID_URL') {
      message = 'Bad request - the URL is not valid: percent-encode characters outside ASCII (RFC 3986)'
    }
    // no request exists yet: the envelope is built from the error alone (errorAnswer logs only 500s)
    const { body: envelope } = errorAnswer(new RequestRefused(status, message), helpUrl(siteUrl, 'help_show'), { log: this.log } as FastifyRequest)
    const body = JSON.stringify(envelope)
    if (!socket.writable) return socket.destroy()
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, () => socket.destroy())
  }
}
