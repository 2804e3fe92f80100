import t from 'tap'
import { isPackageName, mungeTag, mungeTitleToName, substituteAsciiEquivalents } from '../../src/harvest/harvesters/munge.js'

// ckan/tests/lib/test_munge.py at ckan-2.11.5, test_munge_title_to_name
const TITLE_TO_NAME: [string, string][] = [
  ['unchanged', 'unchanged'],
  ['some spaces  here    &here', 'some-spaces-here-here'],
  ['s', 's_'],
  ['random:other%character&', 'random-othercharacter'],
  ['u with umlaut \xfc', 'u-with-umlaut-u'],
  ['reallylong'.repeat(12), 'reallylong'.repeat(9) + 'reall'],
  ['reallylong'.repeat(12) + ' - 2012', 'reallylong'.repeat(9) + '-2012'],
  ['10cm - 50cm Near InfraRed (NI) Digital Aerial Photography (AfA142)', '10cm-50cm-near-infrared-ni-digital-aerial-photography-afa142'],
]

// same file, test_munge_tag_multiple_pass (each munged twice: munging is idempotent)
const TAG: [string, string][] = [
  ['unchanged', 'unchanged'],
  ['s', 's_'],
  ['some spaces  here', 'some-spaces--here'],
  ['random:other%characters&_.here', 'randomothercharactershere'],
  ['river-water-dashes', 'river-water-dashes'],
]

t.test("munge_title_to_name: CKAN's own expectations", async (t) => {
  for (const [input, expected] of TITLE_TO_NAME) t.equal(mungeTitleToName(input), expected, JSON.stringify(input))
})

t.test("munge_tag: CKAN's own expectations, twice over", async (t) => {
  for (const [input, expected] of TAG) {
    t.equal(mungeTag(input), expected, JSON.stringify(input))
    t.equal(mungeTag(mungeTag(input)), expected, `${JSON.stringify(input)} munged twice`)
  }
})

t.test('titles the harvester meets', async (t) => {
  t.equal(mungeTitleToName('Presupuestos 2024: Ayuntamiento de Coruña'), 'presupuestos-2024-ayuntamiento-de-coruna')
  // only Latin-1 letters are folded; other scripts vanish, as in CKAN
  t.equal(mungeTitleToName('Θεσσαλονίκη air quality'), 'air-quality')
  t.equal(mungeTitleToName('Łódź'), 'od')
  t.equal(mungeTitleToName('Æsir & Þór'), 'aesir-thor')
  t.equal(mungeTitleToName('---'), '__')
  t.equal(mungeTitleToName('a_b.c/d'), 'a_b-c-d')
})

// expected values below were produced by ckan/lib/munge.py (ckan-2.11.5) under Python 3
t.test('long titles: 95 characters, a trailing year or year range survives', async (t) => {
  const long = 'x'.repeat(120)
  t.equal(mungeTitleToName(long).length, 95)
  const withRange = mungeTitleToName(`${'informe anual '.repeat(10)}2019-2020`)
  t.equal(withRange, `${'informe-anual-'.repeat(6)}i-2019-2020`)
  const withSlash = mungeTitleToName(`${'datos '.repeat(20)}2019/20`)
  // "/" became "-" before the year rule looks, so "2019-20" is the suffix kept
  t.equal(withSlash, `${'datos-'.repeat(14)}dat-2019-20`)
  // no separator before the digits: plain cut
  t.equal(mungeTitleToName(`${'y'.repeat(100)}2012`), 'y'.repeat(95))
})

t.test('munge_tag folds accents, drops punctuation, keeps length limits', async (t) => {
  t.equal(mungeTag('Gasto Público'), 'gasto-publico')
  t.equal(mungeTag('  padded  '), 'padded')
  t.equal(mungeTag('€'), '__')
  t.equal(mungeTag('t'.repeat(150)).length, 100)
})

t.test('substitute_ascii_equivalents drops astral characters as one character', async (t) => {
  t.equal(substituteAsciiEquivalents('a😀b'), 'ab')
  t.equal(substituteAsciiEquivalents('ÀÉÎÕÜß'), 'AEIOUss')
})

t.test('isPackageName: what the ckan harvester keeps without munging', async (t) => {
  t.ok(isPackageName('x'.repeat(100)), '100 characters')
  t.ok(isPackageName('ab'))
  t.ok(isPackageName('serie_2024-anual'))
  t.notOk(isPackageName('x'.repeat(101)), '101 characters')
  t.notOk(isPackageName('a'), 'one character')
  t.notOk(isPackageName('Mayúsculas'))
  t.notOk(isPackageName('con espacio'))
})
