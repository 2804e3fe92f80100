/**
 * Waits for a condition instead of sleeping a fixed time: calls `fn` every 50 ms until it returns
 * something other than undefined, and fails naming `what` after `ms`.
 */
export async function poll<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
