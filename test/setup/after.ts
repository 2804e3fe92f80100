import { stopDetached } from '../../src/db/embedded.js'
import { TEST_PG_DIR } from './postgres.js'

if (!process.env.DATABASE_URL) await stopDetached(TEST_PG_DIR)
