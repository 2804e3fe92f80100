import { sql, type SqlBool } from 'kysely'
import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized, ValidationError } from '../../errors.js'
import { containsPattern, createdPackagesCount, userDict } from './dict.js'

/** order_by values and their SQL; anything else sorts by display_name, as CKAN does. */
const ORDER_COLUMNS = ['id', 'name', 'fullname', 'created', 'about', 'sysadmin', 'state', 'last_active', 'image_url', 'number_created_packages'] as const
/** CKAN adds the name as a tie-breaker for these. */
const WITH_NAME = new Set(['fullname', 'about', 'sysadmin', 'number_created_packages'])

export default defineAction({
  name: 'user_list',
  description:
    "Return the site's active and pending user accounts (deleted ones are left out).\n\nParams: q (case-insensitive substring of name or full name; of the e-mail too for sysadmins), email (exact; sysadmins only), order_by (display_name by default; id, name, fullname, created, about, sysadmin, number_created_packages; email for sysadmins only), all_fields (true: user dicts; false: names), limit and offset (optional paging; CKAN returns everything).",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      q: { type: 'string' },
      email: { type: 'string' },
      order_by: { type: 'string', default: 'display_name' },
      all_fields: { type: 'boolean', default: true },
      include_site_user: { type: 'boolean', default: false },
      limit: { type: 'integer', minimum: 0 },
      offset: { type: 'integer', minimum: 0 },
    },
  },
  auth: (ctx, p) => {
    if (p.email && !isSysadmin(ctx)) throw new NotAuthorized()
  },
  handler: async (ctx, p) => {
    if (p.order_by === 'edits') throw ValidationError.message('order_by=edits is no longer supported')
    const sysadmin = isSysadmin(ctx)
    let q = ctx.db.selectFrom('user').selectAll('user').select(createdPackagesCount(false)).where('user.state', '!=', 'deleted')
    if (p.q) {
      // accents and case ignored (CKAN: case only), so "jose" finds "José"
      const like = sql`abierto_fold(${containsPattern(p.q)})`
      const has = (col: string) => sql<SqlBool>`abierto_fold(${sql.ref(col)}) LIKE ${like}`
      q = q.where((eb) => eb.or([has('user.name'), has('user.fullname'), ...(sysadmin ? [has('user.email')] : [])]))
    }
    if (p.email) q = q.where('user.email', '=', p.email)
    // CKAN sorts by any user column; the e-mail only for sysadmins, who can see it: anyone else
    // would learn how hidden addresses sort, so they get the default order
    const columns: readonly string[] = sysadmin ? [...ORDER_COLUMNS, 'email'] : ORDER_COLUMNS
    const order = columns.includes(p.order_by) ? p.order_by : 'display_name'
    if (order === 'display_name') q = q.orderBy(sql`CASE WHEN "user".fullname IS NULL OR "user".fullname = '' THEN "user".name ELSE "user".fullname END`)
    else if (order === 'number_created_packages') q = q.orderBy(sql.ref('number_created_packages'))
    else q = q.orderBy(sql.ref(`user.${order}`))
    if (order === 'display_name' || WITH_NAME.has(order)) q = q.orderBy('user.name')
    if (p.limit !== undefined) q = q.limit(p.limit)
    if (p.offset !== undefined) q = q.offset(p.offset)
    const rows = await q.execute()
    return p.all_fields ? rows.map((r) => userDict(ctx, r)) : rows.map((r) => r.name)
  },
})
