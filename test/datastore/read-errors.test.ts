import t from 'tap'
import { searchFailure } from '../../src/datastore/read-transaction.js'
import { ValidationError } from '../../src/errors.js'

t.test('database errors of a search, as CKAN answers them', async (t) => {
  const slow = searchFailure(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), 'Search took too long')
  t.ok(slow instanceof ValidationError)
  t.same((slow as ValidationError).fields, { query: ['Search took too long'] })
  const bad = searchFailure(Object.assign(new Error('invalid input syntax for type integer: "x"'), { code: '22P02' }), 'Search took too long')
  t.same((bad as ValidationError).fields, { query: ['Invalid query'], info: { orig: ['invalid input syntax for type integer: "x"'] } })
  const down = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
  t.equal(searchFailure(down, 'x'), down, 'the server going away is not the query’s fault: passed on (a 503)')
  const plain = new Error('boom')
  t.equal(searchFailure(plain, 'x'), plain)
})
