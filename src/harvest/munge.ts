// TEMP placeholder
export function mungeTitleToName(t: string): string { return t.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[ .:/]/g, '-').replace(/[^a-z0-9_-]/g, '').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 100).padEnd(2, '_') }
export function mungeTag(t: string): string { return t.toLowerCase().trim().replace(/\s+/g, '-').replace(/[^\p{L}\p{N}_.-]/gu, '') }
