import type { ActionContext } from '../../actions/context.js'
import { userName } from '../../actions/context.js'
import { canEditPackage, canReadPackage } from '../../auth/authz.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findSource, type SourceRecord } from './sources.js'

/**
 * ckanext-harvest's auth functions reduce to the dataset rules on the source's package row:
 * reading a source = package_show, managing it and its jobs = package_update.
 */

export function sourceNotFound(ref: string): NotFound {
  return new NotFound(`Harvest source ${ref} does not exist`)
}

/** The source, or CKAN's 404. */
export async function requireSource(ctx: ActionContext, ref: string): Promise<SourceRecord> {
  const source = await findSource(ctx.db, ref)
  if (!source) throw sourceNotFound(ref)
  return source
}

/** package_update on the source; `message` gives the action's own denial text. */
export async function requireSourceEdit(ctx: ActionContext, source: SourceRecord, message: (user: string, id: string) => string): Promise<void> {
  if (!(await canEditPackage(ctx, source))) throw new NotAuthorized(message(userName(ctx), source.id))
}

/** package_show on the source: a private or deleted source stays hidden from outsiders. */
export async function requireSourceRead(ctx: ActionContext, source: SourceRecord): Promise<void> {
  if (!(await canReadPackage(ctx, source))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to read harvest source ${source.id}`)
}
