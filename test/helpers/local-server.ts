import type http from 'node:http'
import type { AddressInfo } from 'node:net'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** Closes a test's listening HTTP server at teardown, open connections too (a keep-alive client would hold it open). */
export function closeAtTeardown(t: Teardown, server: http.Server): void {
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  )
}

/** Starts a test's HTTP server on a free loopback port, closed at teardown; its base URL. */
export async function serveLocally(t: Teardown, server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closeAtTeardown(t, server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
