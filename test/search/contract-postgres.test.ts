import t from 'tap'
import { testDatabase } from '../helpers/app.js'
import { PostgresSearchIndex } from '../../src/search/postgres.js'
import { VOCABULARY, searchContract } from './contract.js'

// The embedded backend against the shared adapter contract (its tables come from the migrations).
t.test('Postgres search index: adapter contract', (t) =>
  searchContract(t, async (t) => {
    const db = await testDatabase(t)
    await db.kysely.insertInto('vocabulary').values({ id: VOCABULARY.id, name: VOCABULARY.name }).execute()
    return new PostgresSearchIndex(db.kysely)
  }),
)
