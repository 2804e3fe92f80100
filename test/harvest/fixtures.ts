import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// tests run from dist/test/harvest; the fixtures stay in the source tree
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/harvest/fixtures')

export function fixture(name: string): string {
  return readFileSync(path.join(dir, name), 'utf8')
}

/** The value of an extra, or undefined; fails loudly if the dict has no extras list. */
export function extra(dict: Record<string, unknown>, key: string): string | undefined {
  const extras = dict.extras as { key: string; value: string }[]
  if (!Array.isArray(extras)) throw new Error('dict has no extras')
  return extras.find((e) => e.key === key)?.value
}

export function extraKeys(dict: Record<string, unknown>): string[] {
  return (dict.extras as { key: string }[]).map((e) => e.key)
}
