import { sql, type Kysely } from 'kysely'
import { createTable, syncReaderAccess, tableRef, type ColumnSpec } from '../../src/datastore/table.js'
import { setDatastoreActive } from '../../src/datastore/active.js'

/**
 * A resource's rows in the DataStore for the portal tests, made with the table conventions
 * directly (createTable + INSERT) as the loader leaves them: labels of the file's headers in
 * `info.label`, the `datastore_active` flag set.
 */

export const COLUMNS: ColumnSpec[] = [
  { id: 'provincia', type: 'text', info: { label: 'Provincia' } },
  { id: 'anio', type: 'int4', info: { label: 'Año' } },
  { id: 'poblacion', type: 'int8', info: { label: 'Población' } },
  { id: 'fuente', type: 'text' },
]

const PROVINCIAS: Array<[string, number]> = [
  ['Azuay', 881394],
  ['Bolívar', 209933],
  ['Cañar', 281396],
  ['Carchi', 186869],
  ['Chimborazo', 524004],
  ['Cotopaxi', 488716],
  ['El Oro', 715751],
  ['Esmeraldas', 643654],
  ['Galápagos', 33042],
  ['Guayas', 4387434],
  ['Imbabura', 476257],
  ['Loja', 521154],
  ['Los Ríos', 921763],
  ['Manabí', 1562079],
  ['Morona Santiago', 196535],
  ['Napo', 133705],
  ['Orellana', 161338],
  ['Pastaza', 114202],
  ['Pichincha', 3228233],
  ['Santa Elena', 401178],
  ['Santo Domingo de los Tsáchilas', 458580],
  ['Sucumbíos', 230503],
  ['Tungurahua', 590600],
  ['Zamora Chinchipe', 120416],
]

/** 48 rows: each province in 2020 and 2022; three rows come from a «Cámara», one holds markup, one a null. */
export function provinceRows(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  for (const anio of [2020, 2022])
    PROVINCIAS.forEach(([provincia, base], i) => {
      const fuente = i % 10 === 3 && anio === 2022 ? `Cámara de Comercio de ${provincia}` : provincia === 'Napo' && anio === 2020 ? '<b>INEC</b> & <script>x()</script>' : 'INEC'
      rows.push({ provincia, anio, poblacion: provincia === 'Pastaza' && anio === 2020 ? null : base + (anio - 2020) * 1000, fuente })
    })
  return rows
}

export async function fillTable(db: Kysely<any>, resourceId: string, columns: ColumnSpec[] = COLUMNS, rows: Record<string, unknown>[] = provinceRows()): Promise<void> {
  await createTable(db, resourceId, columns)
  for (const row of rows) {
    const keys = Object.keys(row)
    await sql`INSERT INTO ${tableRef(resourceId)} (${sql.join(keys.map((k) => sql.id(k)))}) VALUES (${sql.join(keys.map((k) => sql`${row[k]}`))})`.execute(db)
  }
  await syncReaderAccess(db, resourceId)
  await setDatastoreActive(db, resourceId, true)
}
