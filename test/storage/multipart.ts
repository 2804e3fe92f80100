import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export interface FilePart {
  filename: string
  content: Buffer
  contentType?: string
}

/**
 * A multipart/form-data body shaped as python-requests builds it for ckanapi
 * (`ckanapi action resource_create … upload@file`): text fields first, then the file in `upload`.
 */
export function multipartBody(fields: Record<string, string>, file?: FilePart, fileField = 'upload'): { body: Buffer; contentType: string } {
  const boundary = randomBytes(16).toString('hex')
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file) {
    const type = file.contentType ? `Content-Type: ${file.contentType}\r\n` : ''
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${file.filename}"\r\n${type}\r\n`))
    parts.push(file.content, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** POSTs an action as multipart; `token: null` is anonymous. */
export function postMultipart(app: FastifyInstance, action: string, fields: Record<string, string>, file: FilePart | undefined, token: string | null): Promise<LightMyRequestResponse> {
  const { body, contentType } = multipartBody(fields, file)
  return app.inject({ method: 'POST', url: `/api/3/action/${action}`, headers: { 'content-type': contentType, ...(token ? { authorization: token } : {}) }, payload: body })
}
