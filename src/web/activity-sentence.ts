import type { TFunction } from 'i18next'

/** A piece of an activity sentence: text to print, or the slot where a name goes. */
export type Segment = { text: string } | { slot: 'actor' | 'dataset' }

// control characters cannot come from a catalogue or a title, so they mark the slots safely
const MARK = '\u0001'
const SLOT = new RegExp(`${MARK}(actor|dataset)${MARK}`)

/**
 * The catalogue's sentence for a kind of activity, cut at its `{{actor}}` and `{{dataset}}`
 * placeholders: each language orders the words its own way, and the template still escapes
 * every name it puts in a slot. A template global (the translator remembers each answer).
 */
export function activitySentence(t: TFunction, kind: string): Segment[] {
  const text = String(t(`activity.${kind}`, { actor: `${MARK}actor${MARK}`, dataset: `${MARK}dataset${MARK}` }))
  const out: Segment[] = []
  const parts = text.split(SLOT)
  // split with one capture group alternates text, slot name, text, …
  parts.forEach((part, i) => {
    if (i % 2 === 1) out.push({ slot: part as 'actor' | 'dataset' })
    else if (part) out.push({ text: part })
  })
  return out
}
