import { sql, type RawBuilder } from 'kysely'
import { ValidationError } from '../errors.js'
import type { FieldInfo } from './fields.js'

/**
 * CKAN's `filters`: `{column: value}` is equality, `{column: [v1, v2]}` membership (for a column
 * that is not an array itself), all conditions ANDed. Text columns compare with the value as
 * text, so `{"code": 10}` finds "10" as CKAN does; other columns let Postgres read the value.
 */

export function filterConditions(filters: Record<string, unknown>, fields: FieldInfo[]): RawBuilder<unknown>[] {
  const types = new Map(fields.map((f) => [f.id, f.type]))
  types.set('_id', 'int4')
  const conditions: RawBuilder<unknown>[] = []
  for (const [column, value] of Object.entries(filters)) {
    const type = types.get(column)
    if (type === undefined) throw new ValidationError({ filters: [`invalid value "${column}"`] })
    const col = sql.id('t', column)
    const param = (v: unknown) => (type === 'text' ? String(v) : isContainer(v) && !type.startsWith('_') ? JSON.stringify(v) : v)
    if (Array.isArray(value) && !type.startsWith('_')) {
      if (value.length === 0) conditions.push(sql`false`)
      else conditions.push(sql`${col} IN (${sql.join(value.map((v) => sql`${param(v)}`))})`)
    } else if (value === null) {
      // `= NULL` matches nothing, as in CKAN
      conditions.push(sql`false`)
    } else {
      conditions.push(sql`${col} = ${param(value)}`)
    }
  }
  return conditions
}

function isContainer(v: unknown): boolean {
  return v !== null && typeof v === 'object'
}
