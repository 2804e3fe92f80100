/**
 * Why a load stopped. A LoadError is the file's or the link's fault and is final: retrying would
 * meet the same bytes. A RetryableLoadError may pass later (a remote answering 503, the uploaded
 * file not in place yet, a deadlock): the job is tried again by the queue.
 */
export class LoadError extends Error {}

export class RetryableLoadError extends Error {}
