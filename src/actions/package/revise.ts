import { defineAction } from '../define.js'
import { parseJsonParam } from '../input-check.js'
import { requireEditPackage, requireGroupsAuth } from '../../auth/authz.js'
import { NotFound, ValidationError } from '../../errors.js'
import { packageDict } from '../../model/package-dict.js'
import { filterGlob, joinPath, mergeAt, mergeDict, mismatches, mismatchesAt, PathError, type Path } from '../../model/dict-paths.js'
import { findPackageRow } from '../../model/package-save.js'
import { updateLockedPackage, withNameConflict } from './write.js'

function jsonParam(name: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined
  let value: unknown = v
  if (typeof v === 'string') {
    const parsed = parseJsonParam(name, v)
    if (!parsed) throw new ValidationError({ [name]: ['Invalid JSON object'] })
    value = parsed.value
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError({ [name]: ['Not a dict'] })
  return value as Record<string, unknown>
}

function globsParam(v: unknown): string[] | undefined {
  if (v === undefined) return undefined
  if (Array.isArray(v)) return v.map(String)
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

export default defineAction({
  name: 'package_revise',
  description:
    'Revise a dataset in place: check `match` (and match__path keys) against the current dict, remove/protect keys with `filter` globs, deep-merge `update` (and update__path keys; list steps by index or ≥5-char id prefix; `__extend` appends), then package_update. Returns {"package": dict}, filtered by `include` globs.',
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      match: { type: ['object', 'string'] },
      update: { type: ['object', 'string'] },
      filter: { type: ['array', 'string'], items: { type: 'string' } },
      include: { type: ['array', 'string'], items: { type: 'string' } },
    },
  },
  auth: async (ctx, p) => {
    const raw = p as Record<string, unknown>
    const match = jsonParam('match', raw.match)
    const ref = [raw.match__id, match?.id, raw.match__name, match?.name].find((v): v is string => typeof v === 'string' && v !== '')
    if (!ref) throw new ValidationError({ match__id: 'Missing value' })
    const pkg = await requireEditPackage(ctx, ref, undefined, null)
    // CKAN checks package_update's rule on `update`: groups newly added need rights on them
    await requireGroupsAuth(ctx, jsonParam('update', raw.update) ?? {}, pkg.id)
  },
  handler: async (ctx, p) => {
    const raw = p as Record<string, unknown>
    const match = jsonParam('match', raw.match)
    const update = jsonParam('update', raw.update)
    const filter = globsParam(raw.filter)
    const include = globsParam(raw.include)
    const matchKeys = Object.keys(raw)
      .filter((k) => k.startsWith('match__'))
      .sort()
    const updateKeys = Object.keys(raw)
      .filter((k) => k.startsWith('update__'))
      .sort((a, b) => Number(b.endsWith('__extend')) - Number(a.endsWith('__extend')) || (a < b ? -1 : 1))

    const ref = [raw.match__id, match?.id, raw.match__name, match?.name].find((v): v is string => typeof v === 'string' && v !== '')
    if (!ref) throw new ValidationError({ match__id: 'Missing value' })

    const result = await withNameConflict(() =>
      ctx.transaction(async (tx) => {
        const row = await findPackageRow(tx.db, ref, true)
        if (!row) throw new NotFound()
        const current = (await packageDict(tx.db, row.id, tx.config.siteUrl))!
        // match, filter and update work on a copy: `current` stays the before-state for no-op detection
        const orig = structuredClone(current) as Record<string, unknown>

        const unmatched: Path[] = []
        if (match) unmatched.push(...mismatches(orig, match))
        for (const k of matchKeys) {
          try {
            unmatched.push(...mismatchesAt(orig, k.slice('match__'.length), raw[k]))
          } catch (e) {
            if (e instanceof PathError) throw new ValidationError({ [k]: [e.message] })
            throw e
          }
        }
        if (unmatched.length > 0) throw new ValidationError({ match: unmatched.map(joinPath) })

        if (filter) {
          filterGlob(orig, filter)
          orig.id = row.id
        }
        if (update) {
          try {
            mergeDict(orig, update)
          } catch (e) {
            if (e instanceof PathError) throw new ValidationError({ update: [e.message] })
            throw e
          }
        }
        for (const k of updateKeys) {
          try {
            mergeAt(orig, k.slice('update__'.length), raw[k])
          } catch (e) {
            if (e instanceof PathError) throw new ValidationError({ [k]: [e.message] })
            throw e
          }
        }
        return { package: await updateLockedPackage(tx, row, { ...orig, id: row.id }, current) } as Record<string, unknown>
      }),
    )
    if (include) filterGlob(result, include)
    return result
  },
})
