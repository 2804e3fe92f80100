import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the suite's shared cluster lives (ABIERTO_TEST_PG_DIR overrides, for parallel runs);  shared cluster lives and where its admin URL is written (outside dist/ so `tsc` keeps it). */
export const TEST_PG_DIR = process.env.ABIERTO_TEST_PG_DIR
  ? path.resolve(process.env.ABIERTO_TEST_PG_DIR)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.tap/postgres')
export const URL_FILE = path.join(TEST_PG_DIR, 'admin-url')
export const TEMPLATE_DB = 'abierto_test_template'
