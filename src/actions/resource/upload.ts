import type { ActionContext } from '../context.js'
import { StagedUpload } from '../../storage/upload.js'
import { resourceKey } from '../../storage/blob-store.js'
import { asBool } from '../params.js'
import { cleanFormat, guessFormat } from '../../model/formats.js'
import { nowIso } from '../../model/time.js'

/**
 * The `upload` and `clear_upload` params, taken out of a resource dict as CKAN's ResourceUpload
 * pops them. An `upload` that is not a staged file (a JSON string, say) is dropped, as CKAN
 * ignores anything but a file.
 */
export function takeUpload(resource: Record<string, unknown>): { upload: StagedUpload | null; clear: boolean } {
  const { upload, clear_upload } = resource
  delete resource.upload
  delete resource.clear_upload
  return { upload: upload instanceof StagedUpload ? upload : null, clear: asBool(clear_upload) === true }
}

/**
 * What an uploaded file sets on its resource (CKAN's resource_create/update with an upload):
 * url = the munged file name (shown as the download URL), url_type upload, size and hash measured
 * while streaming, mimetype sniffed unless given, last_modified now, format guessed when empty.
 */
export function applyUpload(resource: Record<string, unknown>, upload: StagedUpload): void {
  resource.url = upload.filename
  resource.url_type = 'upload'
  resource.size = upload.size
  resource.hash = upload.sha256
  if (!('mimetype' in resource) || resource.mimetype === null || resource.mimetype === '') resource.mimetype = upload.mimetype
  resource.last_modified = nowIso()
  if (typeof resource.format !== 'string' || resource.format.trim() === '') {
    const byMime = upload.mimetype ? cleanFormat(upload.mimetype) : null
    resource.format = guessFormat(upload.filename) ?? (byMime && byMime !== upload.mimetype ? byMime : '')
  }
}

/** After a commit: drops blobs whose rows no longer point to them; a failure is logged, never the caller's. */
export async function removeBlobs(ctx: ActionContext, resourceIds: string[]): Promise<void> {
  for (const id of resourceIds) {
    await ctx.storage.remove(resourceKey(id)).catch((err: unknown) => ctx.log.error({ err, resource: id }, 'could not remove an uploaded file'))
  }
}
