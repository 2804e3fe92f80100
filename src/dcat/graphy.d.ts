// @graphy/content.xml.scribe ships no types: the part of its API src/dcat/serialize.ts uses.
declare module '@graphy/content.xml.scribe' {
  import type { Duplex } from 'node:stream'
  export default function scribe(config?: { prefixes?: Record<string, string> }): Duplex
}
