import { ValidationError } from '../../errors.js'

/**
 * The feed's position as an opaque string: base64url of `v1:<seq>`, the last change a reader has
 * seen. Opaque so the numbering can change (a new version prefix) without breaking clients that
 * only hand cursors back.
 */
const PREFIX = 'v1:'

export function encodeCursor(seq: number): string {
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url')
}

/** The seq a cursor stands for; an empty or absent cursor is the start (0). */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : ''
  const m = /^v1:(0|[1-9]\d{0,14})$/.exec(text)
  if (!m || Buffer.from(text, 'utf8').toString('base64url') !== cursor) throw new ValidationError({ cursor: ['Invalid cursor'] })
  return Number(m[1])
}
