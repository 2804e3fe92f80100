import { Readable } from 'node:stream'
import t from 'tap'
import { readLines } from '../../src/bulk/jsonl.js'
import { foreignId, stableUuid } from '../../src/bulk/stable-id.js'
import { isUuid } from '../../src/model/validators.js'

async function collect(chunks: Buffer[]) {
  const out = []
  for await (const line of readLines(Readable.from(chunks))) out.push(line)
  return out
}

t.test('lines keep their numbers across chunk boundaries, CRLF and blank lines', async (t) => {
  const text = Buffer.from('{"a":"ñandú"}\r\n\n   \n{"b":2}\n{"c":"€"}', 'utf8')
  const expected = [
    { number: 1, text: '{"a":"ñandú"}' },
    { number: 4, text: '{"b":2}' },
    { number: 5, text: '{"c":"€"}' },
  ]
  t.same(await collect([text]), expected, 'one chunk, no final newline')
  // every split point, including inside multi-byte characters
  for (let i = 1; i < text.length; i++) t.same(await collect([text.subarray(0, i), text.subarray(i)]), expected, `split at byte ${i}`)
  t.same(await collect([]), [], 'empty input')
})

t.test('foreign ids become stable UUIDs; UUIDs and non-strings pass', async (t) => {
  const a = foreignId('jgm_1')
  t.ok(isUuid(a), 'a UUID')
  t.equal(a, foreignId('jgm_1'), 'the same on every call')
  t.not(a, foreignId('jgm_2'))
  t.equal(stableUuid('jgm_1')[14], '5', 'version 5')
  const uuid = '0b9d6c1e-3f1a-4c7e-9d2b-5a6f7e8d9c0b'
  t.equal(foreignId(uuid), uuid)
  t.equal(foreignId(''), '')
  t.equal(foreignId(undefined), undefined)
  t.equal(foreignId(42), 42)
})
