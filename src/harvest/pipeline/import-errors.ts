import { ActionError, NotFound, ValidationError } from '../../errors.js'

/** A remote dataset whose id is a local dataset another source harvests: that source keeps it. */
export class HarvestConflict extends Error {}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** The object error's message, worded as ckanext-harvest's import stage words it. */
export function importErrorText(guid: string, err: unknown): string {
  if (err instanceof ValidationError) return `Invalid package with GUID ${guid}: ${JSON.stringify(err.fields)}`
  if (err instanceof NotFound) return `Not found while importing ${guid}: ${err.detail ?? err.message}`
  if (err instanceof ActionError) return `${err.constructor.name} while importing ${guid}: ${err.message}`
  return errorText(err)
}

/** An error Postgres raised (it carries a SQLSTATE): it aborted the transaction it happened in. */
export function isDatabaseError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code)
}
