// TEMP placeholder
import type { ParsedPage } from './parsed.js'
export function parseDataJsonPage(_body: string, _opts: { sourceUrl: string }): ParsedPage { throw new Error('todo') }
