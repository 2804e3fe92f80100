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

/** A light Spanish plural stemmer: presupuestos → presupuesto, ciudades → ciudad, calles/calle → call. */
export function stem(word: string): string {
  let w = word
  if (w.length > 3 && w.endsWith('s') && !/\d/.test(w)) w = w.slice(0, -1)
  if (w.length > 3 && w.endsWith('e') && !/[aeiou]/.test(w[w.length - 2])) w = w.slice(0, -1)
  return w
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
