/** Why no preview could be made: codes the page translates, never text shown as is. */
export type NoPreviewReason = 'no-url' | 'unsupported' | 'too-large' | 'unreachable' | 'unreadable' | 'empty'

/** Thrown inside the preview readers; previewResource turns it into `{ kind: 'none' }`. */
export class PreviewFailure extends Error {
  constructor(
    readonly reason: NoPreviewReason,
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason)
  }
}
