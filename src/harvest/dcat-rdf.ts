// TEMP placeholder
import type { ParsedPage } from './parsed.js'
export async function parseRdfPage(_body: string, _opts: { contentType?: string | null; url?: string; rdfFormat?: string; sourceUrl: string }): Promise<ParsedPage> { throw new Error('todo') }
