import type { Readable } from 'node:stream'
import { SaxesParser } from 'saxes'
import { PreviewFailure } from './failure.js'

/**
 * A streaming XML scan with early exit, for spreadsheet parts that can be hundreds of megabytes
 * (a sheet, shared strings, ODS content.xml) of which a preview needs the start. Element and
 * attribute names are given without their prefix: ODF and OOXML fix their namespaces, and the
 * prefixes, though conventional, are the writer's choice.
 */
export interface XmlHandlers {
  /** `qname`: the name as written, prefix included */
  open?(name: string, attrs: Record<string, string>, qname: string): void
  close?(name: string): void
  text?(text: string): void
}

export interface XmlScan {
  /** ends the scan after the current chunk; later events are not delivered */
  stop(): void
  /** characters of XML fed to the parser so far */
  readonly chars: number
}

export type ScanEnd = 'end' | 'stopped' | 'budget'

const local = (name: string): string => name.slice(name.indexOf(':') + 1)

/** Attributes by local name; most elements of a sheet have only unprefixed ones, passed on as they are (this runs for every cell). */
function localAttributes(attributes: Record<string, string>): Record<string, string> {
  let prefixed = false
  for (const k in attributes) {
    if (k.includes(':')) {
      prefixed = true
      break
    }
  }
  if (!prefixed) return attributes
  const attrs: Record<string, string> = {}
  for (const k in attributes) attrs[local(k)] = attributes[k]
  return attrs
}

/** Feeds `stream` through the handlers until the document ends, stop() is called, or `maxChars` were read. */
export async function scanXml(stream: Readable, make: (scan: XmlScan) => XmlHandlers, maxChars: number): Promise<ScanEnd> {
  const chunks = xmlChunks(stream, make, maxChars)
  for (;;) {
    const next = await chunks.next()
    if (next.done) return next.value
  }
}

/**
 * scanXml one chunk at a time: pauses after the events of each chunk of `stream`, so a reader
 * turning every row of a sheet into output hands on what one chunk made before the next is
 * inflated (memory stays that of a chunk, whatever the sheet's size). Returning early from the
 * generator destroys the stream.
 */
export async function* xmlChunks(stream: Readable, make: (scan: XmlScan) => XmlHandlers, maxChars: number): AsyncGenerator<void, ScanEnd> {
  let stopped = false
  let chars = 0
  const handlers = make({
    stop: () => void (stopped = true),
    get chars() {
      return chars
    },
  })
  const parser = new SaxesParser({ xmlns: false, position: false })
  let failed: Error | null = null
  parser.on('error', (err) => {
    failed = err
  })
  if (handlers.open) {
    const open = handlers.open
    parser.on('opentag', (tag) => {
      if (stopped) return
      open(local(tag.name), localAttributes(tag.attributes as Record<string, string>), tag.name)
    })
  }
  if (handlers.close) {
    const close = handlers.close
    parser.on('closetag', (tag) => {
      if (!stopped) close(local(tag.name))
    })
  }
  if (handlers.text) {
    const text = handlers.text
    parser.on('text', (t) => {
      if (!stopped) text(t)
    })
    parser.on('cdata', (t) => {
      if (!stopped) text(t)
    })
  }
  stream.setEncoding('utf8')
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      chars += chunk.length
      parser.write(chunk)
      if (failed) throw new PreviewFailure('unreadable', 'xml')
      if (stopped) return 'stopped'
      if (chars > maxChars) return 'budget'
      yield
    }
    parser.close()
    if (failed) throw new PreviewFailure('unreadable', 'xml')
    return stopped ? 'stopped' : 'end'
  } finally {
    stream.destroy()
  }
}
