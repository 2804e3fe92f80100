// TEMP placeholder (helper branch dcat-in replaces)
export interface HarvestedDataset { guid: string; dict: Record<string, unknown>; content: string; modified: string | null }
export interface ParsedPage { datasets: HarvestedDataset[]; nextPage: string | null; errors: { guid: string | null; message: string }[] }
export class HarvestParseError extends Error {}
