import { collectDefaultMetrics, Registry } from 'prom-client'

let registry: Registry | null = null

/**
 * prom-client's default metrics (CPU, memory, heap, event loop lag, GC, handles) describe the
 * process, not one app: they live in one registry per process, made on first use, while each app
 * instance has its own registry for its own metrics (tests build many apps in one process).
 * Collecting them once also means one GC observer and one event-loop monitor, however many apps.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry()
    // unprefixed: process_* and nodejs_* are the names every exporter and dashboard uses
    collectDefaultMetrics({ register: registry })
  }
  return registry
}
