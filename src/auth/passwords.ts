import { pbkdf2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Password hashes. New hashes use scrypt (memory-hard) with a per-password random salt, stored as
 * `$scrypt$ln=15,r=8,p=1$<salt b64>$<hash b64>` (PHC-like, self-describing so the cost can grow
 * later). Hashes imported from CKAN (passlib's `$pbkdf2-sha512$rounds$salt$hash`, which a
 * sysadmin may send as `password_hash`) still verify. Comparison is constant-time.
 */

const LOG_N = 15
const R = 8
const P = 1
const KEY_LEN = 32
const SALT_LEN = 16

function scryptAsync(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))))
}

/** 128·N·r bytes of memory: ask for a little more than that so node does not refuse. */
function scryptOptions(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN
  return { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN)
  const key = await scryptAsync(password, salt, KEY_LEN, scryptOptions(LOG_N, R, P))
  return `$scrypt$ln=${LOG_N},r=${R},p=${P}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** passlib's "adapted base64": `.` instead of `+`, no padding. */
function passlibB64(s: string): Buffer {
  return Buffer.from(s.replace(/\./g, '+'), 'base64')
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b)
}

/** True when `password` matches `stored`; false for any malformed or unknown hash. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored || typeof password !== 'string') return false
  const scryptMatch = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored)
  if (scryptMatch) {
    const [, ln, r, p, salt, hash] = scryptMatch
    const expected = Buffer.from(hash, 'base64')
    if (Number(ln) > 20 || Number(r) > 32 || Number(p) > 16 || expected.length === 0) return false
    const key = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, scryptOptions(Number(ln), Number(r), Number(p)))
    return equal(key, expected)
  }
  const pbkdf2Match = /^\$pbkdf2-sha512\$(\d{1,7})\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/.exec(stored)
  if (pbkdf2Match) {
    const [, rounds, salt, hash] = pbkdf2Match
    const expected = passlibB64(hash)
    if (expected.length === 0) return false
    const key = await new Promise<Buffer>((resolve, reject) => pbkdf2(password, passlibB64(salt), Number(rounds), expected.length, 'sha512', (err, k) => (err ? reject(err) : resolve(k))))
    return equal(key, expected)
  }
  return false
}
