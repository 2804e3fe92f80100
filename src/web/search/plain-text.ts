import { markdownText } from '../markdown.js'

/** The first `max` characters of a description's text (Markdown or HTML rendered, then stripped), cut at a word boundary, with an ellipsis when cut. */
export function excerpt(source: unknown, max = 180): string {
  const text = markdownText(source)
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  const space = cut.lastIndexOf(' ')
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:]+$/, '')}…`
}
