/**
 * Stored URLs (a resource's link, a dataset's source, a licence's page) are written into `href`
 * and `src`; escaping keeps them inside the attribute but would not stop `javascript:`. Only
 * these schemes become links; anything else is shown as text.
 */
const LINK = /^(https?|ftps?):\/\/[^\s]/i
const IMAGE = /^https?:\/\/[^\s]/i

export function linkHref(url: unknown): string | null {
  return typeof url === 'string' && LINK.test(url.trim()) ? url.trim() : null
}

export function imageSrc(url: unknown): string | null {
  return typeof url === 'string' && IMAGE.test(url.trim()) ? url.trim() : null
}

/** An address for `mailto:`: one plausible mailbox, nothing that could add headers or a second recipient. */
export function mailtoHref(email: unknown): string | null {
  if (typeof email !== 'string') return null
  const e = email.trim()
  return /^[^\s@<>()[\]\\,;:"?&]+@[^\s@<>()[\]\\,;:"?&]+\.[^\s@<>()[\]\\,;:"?&]+$/.test(e) ? `mailto:${e}` : null
}

/** The file name an upload's URL ends with (`…/download/{filename}`), as the download route serves it. */
export function uploadFilename(url: unknown): string {
  if (typeof url !== 'string') return 'download'
  const last = url.slice(url.lastIndexOf('/') + 1).split(/[?#]/)[0]
  return last || 'download'
}

/**
 * The same-origin download path of a resource: uploads through the portal's download route
 * (whatever SITE_URL the stored URL was written with), links as stored when safe to link.
 */
export function downloadHref(resource: { id: string; url?: unknown; url_type?: unknown }, packageId: string): string | null {
  if (resource.url_type === 'upload') return `/dataset/${encodeURIComponent(packageId)}/resource/${encodeURIComponent(resource.id)}/download/${uploadFilename(resource.url)}`
  return linkHref(resource.url)
}
