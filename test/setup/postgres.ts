import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The suite's shared cluster and its admin URL file (ABIERTO_TEST_PG_DIR overrides it, for parallel runs). */
export const TEST_PG_DIR = process.env.ABIERTO_TEST_PG_DIR ? path.resolve(process.env.ABIERTO_TEST_PG_DIR) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.tap/postgres')
export const URL_FILE = path.join(TEST_PG_DIR, 'admin-url')
export const TEMPLATE_DB = 'abierto_test_template'
