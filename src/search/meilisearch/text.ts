import { encodeValue } from './values.js'

/**
 * Spanish function words, dropped from text queries: the Snowball Spanish list's unaccented
 * entries, which is what the Postgres adapter's `unaccent, spanish_stem` configuration drops (its
 * accented entries never match once accents are gone), so both backends ignore the same words.
 */
export const STOP_WORDS: readonly string[] = (
  'a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el ' +
  'ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta estaba estabais ' +
  'estaban estabas estad estada estadas estado estados estamos estando estar estaremos estas este ' +
  'estemos esto estos estoy estuve estuviera estuvierais estuvieran estuvieras estuvieron estuviese ' +
  'estuvieseis estuviesen estuvieses estuvimos estuviste estuvisteis estuvo fue fuera fuerais ' +
  'fueran fueras fueron fuese fueseis fuesen fueses fui fuimos fuiste fuisteis ha habida habidas ' +
  'habido habidos habiendo habremos han has hasta hay haya hayamos hayan hayas he hemos hube ' +
  'hubiera hubierais hubieran hubieras hubieron hubiese hubieseis hubiesen hubieses hubimos hubiste ' +
  'hubisteis hubo la las le les lo los me mi mis mucho muchos muy nada ni no nos nosotras nosotros ' +
  'nuestra nuestras nuestro nuestros o os otra otras otro otros para pero poco por porque que quien ' +
  'quienes se sea seamos sean seas sentid sentida sentidas sentido sentidos seremos siente sin ' +
  'sintiendo sobre sois somos son soy su sus suya suyas suyo suyos tanto te tendremos tened tenemos ' +
  'tenga tengamos tengan tengas tengo tenida tenidas tenido tenidos teniendo ti tiene tienen tienes ' +
  'todo todos tu tus tuve tuviera tuvierais tuvieran tuvieras tuvieron tuviese tuvieseis tuviesen ' +
  'tuvieses tuvimos tuviste tuvisteis tuvo tuya tuyas tuyo tuyos un una uno unos vosostras ' +
  'vosostros vuestra vuestras vuestro vuestros y ya yo'
).split(' ')
export const STOP = new Set(STOP_WORDS)

/** Lowercase, accents removed, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}

/**
 * The search conventions' Spanish normalisation, run on a folded word before stemming, so both
 * backends meet singulars and plurals the same way: a final `z` becomes `c` (luz, luces → luc)
 * and a final `es` after a consonant goes when 3 letters stay (exportaciones → exportacion,
 * meses → mes; tres stays).
 */
export function normalise(word: string): string {
  const w = word.endsWith('z') ? `${word.slice(0, -1)}c` : word
  return /^.{2}.*[b-df-hj-np-tv-z]es$/u.test(w) ? w.slice(0, -2) : w
}

/**
 * The form words are compared in: normalised, then a light Spanish plural stemmer. Takes a folded
 * word (see words). A word that lost a plural `es` only loses a singular's `es` too (intereses →
 * interes → inter, as interés), so clases stays clas as clase becomes; otherwise an `s` after
 * a, e, o or u goes (presupuestos, niños; not país, whose plural países is pais) and then an `e`
 * after a consonant (clase, calle, índice → clas, call, indic).
 */
export function stem(word: string): string {
  let w = normalise(word)
  if (w.length < word.length) {
    for (let next = normalise(w); next !== w; next = normalise(w)) w = next
    return w
  }
  if (w.length > 3 && /[aeou]s$/.test(w) && !/\d/.test(w)) w = w.slice(0, -1)
  if (w.length > 3 && w.endsWith('e') && !/[aeiou]/.test(w[w.length - 2])) w = w.slice(0, -1)
  return w
}

/**
 * A text as the words Meilisearch's `q` is matched on, in order: stemmed, so its typo tolerance
 * measures the distance between stems and a plural is no typo of its singular. Stopwords stay as
 * they are, for the index's stopWords setting to drop on both sides.
 */
export function stemmedText(text: string): string {
  return words(text)
    .map((w) => (STOP.has(w) ? w : stem(w)))
    .join(' ')
}

/** What `w.<field>` holds for a text: each word as written (for prefix queries) and stemmed. */
export function wordTokens(texts: string[]): string[] {
  const out = new Set<string>()
  for (const t of texts) {
    for (const w of words(t)) {
      out.add(encodeValue(w))
      out.add(encodeValue(stem(w)))
    }
  }
  return [...out]
}
