import t from 'tap'
import { S3BlobStore } from '../../src/storage/s3-store.js'
import { startS3 } from '../storage/s3rver.js'
import { bigXlsx, counting, fixture, preview, table, upload } from './preview-helpers.js'

/** Uploads on S3: the same previews through the adapter's ranged GETs (inclusive ends, as the port defines them). */
t.test('S3 blob store: CSV, XLSX, ODS, XLS previews; a big sheet read in windows', async (t) => {
  const s3 = await startS3(t)
  const store = await S3BlobStore.open({ endpoint: s3.endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'preview', region: 'us-east-1' })
  t.teardown(() => store.close())
  const csv = table(await preview(store, await upload(store, fixture('latin1-semicolon.csv'), { format: 'csv' })))
  t.same(csv.columns, ['Provincia', 'Año', 'Población', 'Niños', 'Tasa'])
  const xlsx = table(await preview(store, await upload(store, fixture('two-sheets.xlsx'), { format: 'xlsx' })))
  t.same(xlsx.rows[0], ['Quito', '2023-03-15', '2,800,000', '12.50%'])
  const ods = table(await preview(store, await upload(store, fixture('repeats.ods'), { format: 'ods' })))
  t.same(ods.sheets, ['Datos 2023', 'Fuentes'])
  t.equal(ods.rows[5][1], '2023-01-02 10:30:00')
  const xls = table(await preview(store, await upload(store, fixture('two-sheets.xls'), { format: 'xls' })))
  t.equal(xls.rows[1][0], 'Guayaquil')

  const big = await bigXlsx(60_000, 5)
  const { store: watched, counted } = counting(store)
  const p = table(await preview(watched, await upload(store, big, { format: 'xlsx' })))
  t.equal(p.rows.length, 100)
  t.equal(p.truncated, true)
  t.ok(big.length > 1 << 20 && counted.bytes < 256 * 1024, `read ${counted.bytes} of ${big.length} bytes`)
})
