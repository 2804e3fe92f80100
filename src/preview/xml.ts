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

/** Feeds `stream` through the handlers until the document ends, stop() is called, or `maxChars` were read. */
export async function scanXml(stream: Readable, make: (scan: XmlScan) => XmlHandlers, maxChars: number): Promise<ScanEnd> {
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
      const attrs: Record<string, string> = {}
      for (const [k, v] of Object.entries(tag.attributes)) attrs[local(k)] = v
      open(local(tag.name), attrs, tag.name)
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
    }
    parser.close()
    if (failed) throw new PreviewFailure('unreadable', 'xml')
    return stopped ? 'stopped' : 'end'
  } finally {
    stream.destroy()
  }
}
