import { sql, type ExpressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely'
import type { ActionContext } from '../actions/context.js'
import { isSysadmin, userName } from '../actions/context.js'
import type { Database, GroupRow, PackageRow } from '../db/schema.js'
import { NotAuthorized, NotFound } from '../errors.js'
import { lookup } from '../lookup.js'

/**
 * Authorization rules in one place: CKAN's roles (ckan/authz.py), its dataset permission labels
 * (ckan/lib/plugins.py DefaultPermissionLabels) and its auth functions (ckan/logic/auth/*).
 *
 * - Organization/group roles: `admin` (everything on that group, incl. members), `editor`
 *   (read, create/update/delete datasets, manage_group), `member` (read, manage_group).
 * - Sysadmins may do everything.
 * - Collaborators (config.allowDatasetCollaborators): `member` reads the dataset, `editor` (and
 *   `admin`, with allowAdminCollaborators) edits it; `admin` also manages its collaborators.
 *
 * Dataset visibility (canReadPackage, and the same rule as SQL in visiblePackages):
 * - active and public: everyone;
 * - draft: only those who may edit it (editors/admins of its organization, editor collaborators,
 *   the creator of an unowned one, sysadmins);
 * - private, deleted (any other state): members of any capacity of its organization (the creator
 *   when unowned), any collaborator, sysadmins.
 */

/** Auth rule for sysadmin-only actions: `what` completes CKAN's "User X not authorized to …". */
export function requireSysadmin(what: string) {
  return (ctx: ActionContext): void => {
    if (!isSysadmin(ctx)) throw new NotAuthorized(`User ${userName(ctx)} not authorized to ${what}`)
  }
}

/** CKAN's ROLE_PERMISSIONS. `admin` implies every permission on that group. */
export const ROLE_PERMISSIONS: Record<string, readonly string[]> = {
  admin: ['admin', 'membership'],
  editor: ['read', 'delete_dataset', 'create_dataset', 'update_dataset', 'manage_group'],
  member: ['read', 'manage_group'],
}

export type Permission = 'read' | 'create_dataset' | 'update_dataset' | 'delete_dataset' | 'manage_group' | 'update' | 'delete' | 'membership' | 'admin'

export function roleGrants(capacity: string | undefined | null, permission: string): boolean {
  const perms = capacity ? lookup(ROLE_PERMISSIONS, capacity) : undefined
  return !!perms && (perms.includes('admin') || perms.includes(permission))
}

/** The capacities that grant a permission (CKAN's get_roles_with_permission). */
export function rolesWithPermission(permission: string): string[] {
  return Object.keys(ROLE_PERMISSIONS).filter((r) => roleGrants(r, permission))
}

const RANK: Record<string, number> = { member: 1, editor: 2, admin: 3 }

/** The caller's memberships, loaded once and shared until the next write. */
export interface CallerRoles {
  /** group/organization id → the caller's best capacity there (active memberships of active groups). */
  groups: Map<string, { capacity: string; isOrganization: boolean }>
  /** dataset id → collaborator capacity (empty unless collaborators are enabled). */
  collaborations: Map<string, string>
}

const EMPTY: CallerRoles = { groups: new Map(), collaborations: new Map() }

/** Per read cache: user id → roles, valid for one cache generation (every write clears it). */
const memo = new WeakMap<object, { generation: number; byUser: Map<string, CallerRoles> }>()
const MEMO_MAX_USERS = 10_000

async function loadRoles(ctx: ActionContext, userId: string): Promise<CallerRoles> {
  const collab = ctx.config.allowDatasetCollaborators
  const rows = await sql<{ id: string; capacity: string; kind: string }>`
    SELECT m.group_id AS id, m.capacity, CASE WHEN g.is_organization THEN 'o' ELSE 'g' END AS kind
      FROM member m JOIN "group" g ON g.id = m.group_id
     WHERE m.table_name = 'user' AND m.table_id = ${userId} AND m.state = 'active' AND g.state = 'active'
    ${collab ? sql`UNION ALL SELECT package_id AS id, capacity, 'p' AS kind FROM package_member WHERE user_id = ${userId}` : sql``}
  `.execute(ctx.db)
  const roles: CallerRoles = { groups: new Map(), collaborations: new Map() }
  for (const r of rows.rows) {
    if (r.kind === 'p') {
      roles.collaborations.set(r.id, r.capacity)
      continue
    }
    const prev = roles.groups.get(r.id)
    if (!prev || (RANK[r.capacity] ?? 0) > (RANK[prev.capacity] ?? 0)) roles.groups.set(r.id, { capacity: r.capacity, isOrganization: r.kind === 'o' })
  }
  return roles
}

/**
 * The caller's roles. Served from a per-process memo tied to the read cache's generation, so an
 * authenticated read costs no query while nothing was written; inside a transaction (or with the
 * cache off) they are read fresh, since the transaction may just have changed them.
 */
export async function callerRoles(ctx: ActionContext): Promise<CallerRoles> {
  const user = ctx.caller.user
  if (!user) return EMPTY
  const cache = ctx.cache
  if (!cache.isEnabled) return loadRoles(ctx, user.id)
  const generation = cache.generation
  let entry = memo.get(cache)
  if (!entry || entry.generation !== generation) {
    entry = { generation, byUser: new Map() }
    memo.set(cache, entry)
  }
  const hit = entry.byUser.get(user.id)
  if (hit) return hit
  const roles = await loadRoles(ctx, user.id)
  // stored only if nothing was written meanwhile (the read may predate that write)
  if (cache.generation === generation && memo.get(cache) === entry) {
    if (entry.byUser.size >= MEMO_MAX_USERS) entry.byUser.clear()
    entry.byUser.set(user.id, roles)
  }
  return roles
}

/** The caller's capacity in a group or organization (null: none). */
export async function groupCapacity(ctx: ActionContext, groupId: string | null): Promise<string | null> {
  if (!groupId || !ctx.caller.user) return null
  return (await callerRoles(ctx)).groups.get(groupId)?.capacity ?? null
}

/** CKAN's has_user_permission_for_group_or_org (without hierarchy cascade). */
export async function hasGroupPermission(ctx: ActionContext, groupId: string | null, permission: Permission): Promise<boolean> {
  if (!groupId) return false
  if (isSysadmin(ctx)) return true
  return roleGrants(await groupCapacity(ctx, groupId), permission)
}

/** CKAN's has_user_permission_for_some_org. */
export async function hasPermissionInSomeOrg(ctx: ActionContext, permission: Permission): Promise<boolean> {
  if (isSysadmin(ctx)) return true
  if (!ctx.caller.user) return false
  for (const g of (await callerRoles(ctx)).groups.values()) if (g.isOrganization && roleGrants(g.capacity, permission)) return true
  return false
}

export type PackageMeta = Pick<PackageRow, 'id' | 'state' | 'private' | 'owner_org' | 'creator_user_id'>

function editCollaboratorCapacities(ctx: ActionContext): string[] {
  return ctx.config.allowAdminCollaborators ? ['editor', 'admin'] : ['editor']
}

/** package_update's rule: editors/admins of the owner, editor collaborators, the creator of an unowned dataset. */
export async function canEditPackage(ctx: ActionContext, pkg: PackageMeta): Promise<boolean> {
  if (isSysadmin(ctx)) return true
  const user = ctx.caller.user
  if (!user) return false
  const roles = await callerRoles(ctx)
  if (pkg.owner_org) {
    if (roleGrants(roles.groups.get(pkg.owner_org)?.capacity, 'update_dataset')) return true
  } else if (pkg.creator_user_id === user.id) {
    return true
  }
  if (ctx.config.allowDatasetCollaborators) {
    const c = roles.collaborations.get(pkg.id)
    if (c && editCollaboratorCapacities(ctx).includes(c)) return true
  }
  return false
}

/** May the caller see this dataset at all (show, resource_show)? */
export async function canReadPackage(ctx: ActionContext, pkg: PackageMeta): Promise<boolean> {
  if (pkg.state === 'active' && !pkg.private) return true
  if (isSysadmin(ctx)) return true
  const user = ctx.caller.user
  if (!user) return false
  if (pkg.state === 'draft') return canEditPackage(ctx, pkg)
  const roles = await callerRoles(ctx)
  if (pkg.owner_org) {
    if (roleGrants(roles.groups.get(pkg.owner_org)?.capacity, 'read')) return true
  } else if (pkg.creator_user_id === user.id) {
    return true
  }
  return ctx.config.allowDatasetCollaborators && roles.collaborations.has(pkg.id)
}

/** Throws CKAN's 403 when the caller may not read the dataset. */
export async function requireReadPackage(ctx: ActionContext, pkg: PackageMeta, message?: string): Promise<void> {
  // the common case decides without waiting for anything
  if (pkg.state === 'active' && !pkg.private) return
  if (!(await canReadPackage(ctx, pkg))) throw new NotAuthorized(message ?? `User ${userName(ctx)} not authorized to read package ${pkg.id}`)
}

/** The dataset named by id or name (an id wins), or undefined. */
export async function findPackageMeta(ctx: ActionContext, ref: string): Promise<PackageMeta | undefined> {
  return ctx.db
    .selectFrom('package')
    .select(['id', 'state', 'private', 'owner_org', 'creator_user_id'])
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .orderBy((eb) => eb('id', '=', ref), 'desc')
    .limit(1)
    .executeTakeFirst()
}

/**
 * Auth for writes on an existing dataset: 404 (CKAN's "Package was not found.") before 403, and
 * `message(user, pkg)` is CKAN's denial text (default: "User X not authorized to edit package <id>").
 */
export async function requireEditPackage(ctx: ActionContext, ref: string, message?: (user: string, pkg: PackageMeta) => string, notFound: string | null = 'Package was not found.'): Promise<PackageMeta> {
  const pkg = await findPackageMeta(ctx, ref)
  if (!pkg) throw new NotFound(notFound ?? undefined)
  if (!(await canEditPackage(ctx, pkg))) {
    throw new NotAuthorized(message ? message(userName(ctx), pkg) : `User ${userName(ctx)} not authorized to edit package ${pkg.id}`)
  }
  return pkg
}

/**
 * CKAN's _check_group_auth: every group newly given in `groups` needs manage_group (any role in
 * it). Unknown groups are left to validation (which skips them).
 */
export async function requireGroupsAuth(ctx: ActionContext, data: Record<string, unknown>, pkgId: string | null): Promise<void> {
  if (isSysadmin(ctx) || !Array.isArray(data.groups) || data.groups.length === 0) return
  const refs: string[] = []
  for (const g of data.groups as unknown[]) {
    const ref = typeof g === 'string' ? g : g && typeof g === 'object' ? (g as Record<string, unknown>).id || (g as Record<string, unknown>).name : null
    if (typeof ref === 'string' && ref !== '') refs.push(ref)
  }
  if (refs.length === 0) return
  const groups = await ctx.db
    .selectFrom('group')
    .select(['id'])
    .where((eb) => eb.or([eb('id', 'in', refs), eb('name', 'in', refs)]))
    .execute()
  let current = new Set<string>()
  if (pkgId) {
    const rows = await ctx.db.selectFrom('member').select('group_id').where('table_name', '=', 'package').where('table_id', '=', pkgId).where('state', '=', 'active').execute()
    current = new Set(rows.map((r) => r.group_id))
  }
  for (const g of groups) {
    if (current.has(g.id)) continue
    if (!(await hasGroupPermission(ctx, g.id, 'manage_group'))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to edit these groups`)
  }
}

/** CKAN's can_manage_collaborators. */
export async function canManageCollaborators(ctx: ActionContext, pkg: PackageMeta): Promise<boolean> {
  if (isSysadmin(ctx)) return true
  const user = ctx.caller.user
  if (!user) return false
  if (!pkg.owner_org && ctx.config.createUnownedDataset && pkg.creator_user_id === user.id) return true
  if (await hasGroupPermission(ctx, pkg.owner_org, 'membership')) return true
  return ctx.config.allowAdminCollaborators && (await callerRoles(ctx)).collaborations.get(pkg.id) === 'admin'
}

/** group_show/organization_show of a group that is not active: only those with `read` on it. */
export async function canReadGroup(ctx: ActionContext, group: Pick<GroupRow, 'id' | 'state'>): Promise<boolean> {
  if (group.state === 'active' || isSysadmin(ctx)) return true
  const user = ctx.caller.user
  if (!user) return false
  // the memoized roles cover active groups only: ask about this one directly
  const rows = await ctx.db.selectFrom('member').select('capacity').where('group_id', '=', group.id).where('table_name', '=', 'user').where('table_id', '=', user.id).where('state', '=', 'active').execute()
  return rows.some((r) => roleGrants(r.capacity, 'read'))
}

export interface ListVisibility {
  /** Include private datasets the caller may read (CKAN's include_private). */
  includePrivate?: boolean
  includeDrafts?: boolean
  includeDeleted?: boolean
}

/**
 * The SQL form of canReadPackage for lists and counts over the `package` table: every read path
 * that lists datasets filters with this, so a dataset hidden from show is hidden from counts too.
 * The options narrow further (CKAN's package_search defaults: active, public).
 */
export function visiblePackages(ctx: ActionContext, opts: ListVisibility = {}) {
  const sysadmin = isSysadmin(ctx)
  const user = ctx.caller.user
  const collab = ctx.config.allowDatasetCollaborators
  const editCollab = editCollaboratorCapacities(ctx)
  return (eb: ExpressionBuilder<Database, 'package'>): Expression<SqlBool> => {
    const states = ['active']
    if (opts.includeDrafts) states.push('draft')
    if (opts.includeDeleted) states.push('deleted')
    const conds: Expression<SqlBool>[] = [eb('package.state', 'in', states)]
    if (!opts.includePrivate) conds.push(eb('package.private', '=', false))
    if (sysadmin) return eb.and(conds)
    const publicActive = eb.and([eb('package.state', '=', 'active'), eb('package.private', '=', false)])
    if (!user) return eb.and([...conds, publicActive])
    const orgsWith = (capacities: string[]) =>
      eb
        .selectFrom('member')
        .innerJoin('group', 'group.id', 'member.group_id')
        .select('member.group_id')
        .where('member.table_name', '=', 'user')
        .where('member.table_id', '=', user.id)
        .where('member.state', '=', 'active')
        .where('group.state', '=', 'active')
        .where('member.capacity', 'in', capacities)
    const collaborating = (capacities: string[] | null) =>
      eb
        .selectFrom('package_member')
        .select('package_member.package_id')
        .where('package_member.user_id', '=', user.id)
        .$if(capacities !== null, (q) => q.where('package_member.capacity', 'in', capacities!))
    const rule = (capacities: string[], collabCaps: string[] | null) => {
      const alts: Expression<SqlBool>[] = [eb.and([eb('package.owner_org', 'is not', null), eb('package.owner_org', 'in', orgsWith(capacities))]), eb.and([eb('package.owner_org', 'is', null), eb('package.creator_user_id', '=', user.id)])]
      if (collab) alts.push(eb('package.id', 'in', collaborating(collabCaps)))
      return eb.or(alts)
    }
    const readable = eb.or([publicActive, eb.and([eb('package.state', '=', 'draft'), rule(rolesWithPermission('update_dataset'), editCollab)]), eb.and([eb('package.state', '!=', 'draft'), rule(rolesWithPermission('read'), null)])])
    return eb.and([...conds, readable])
  }
}

/** Auth for resource writes: the resource's dataset must be editable ("User X not authorized to <verb> resource <id>"). */
export async function requireEditResource(ctx: ActionContext, resourceId: string, verb: 'edit' | 'delete'): Promise<void> {
  const row = await ctx.db.selectFrom('resource').select('package_id').where('id', '=', resourceId).where('state', '=', 'active').executeTakeFirst()
  if (!row) throw new NotFound('Resource was not found.')
  await requireEditPackage(ctx, row.package_id, (user) => `User ${user} not authorized to ${verb} resource ${resourceId}`)
}

/** The active organization named by id or name, or undefined. */
/** The id of the active organization (or group) whose id, else whose name, is `ref`. */
export async function findActiveGroupId(db: Kysely<Database>, ref: string, organization: boolean): Promise<string | undefined> {
  const row = await db
    .selectFrom('group')
    .select('id')
    .where('is_organization', '=', organization)
    .where('state', '=', 'active')
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .orderBy((eb) => eb('id', '=', ref), 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id
}

export async function findOrganizationId(ctx: ActionContext, ref: string): Promise<string | undefined> {
  return findActiveGroupId(ctx.db, ref, true)
}

/** package_create's auth (ckan/logic/auth/create.py). */
export async function requireCreatePackage(ctx: ActionContext, data: Record<string, unknown>): Promise<void> {
  if (isSysadmin(ctx)) return
  const user = userName(ctx)
  const allowed = ctx.caller.user !== null && (ctx.config.createUnownedDataset || (await hasPermissionInSomeOrg(ctx, 'create_dataset')))
  if (!allowed) throw new NotAuthorized(`User ${user} not authorized to create packages`)
  await requireGroupsAuth(ctx, data, null)
  const org = data.owner_org
  if (typeof org === 'string' && org !== '') {
    const id = await findOrganizationId(ctx, org)
    if (!id || !(await hasGroupPermission(ctx, id, 'create_dataset'))) throw new NotAuthorized(`User ${user} not authorized to add dataset to this organization`)
  }
}

/**
 * CKAN's owner_org_validator rights check, for a valid organization id: null when the caller may
 * put the dataset there, else the validation message.
 */
export async function ownerOrgError(ctx: ActionContext, orgId: string, existing: PackageMeta | null): Promise<string | null> {
  if (isSysadmin(ctx)) return null
  if (existing && ctx.config.allowDatasetCollaborators && orgId !== existing.owner_org) {
    const c = (await callerRoles(ctx)).collaborations.get(existing.id)
    if (c && editCollaboratorCapacities(ctx).includes(c) && !(await hasGroupPermission(ctx, existing.owner_org, 'update_dataset'))) {
      return 'You cannot move this dataset to another organization'
    }
  }
  if ((!existing || existing.owner_org !== orgId) && !(await hasGroupPermission(ctx, orgId, 'create_dataset'))) return 'You cannot add a dataset to this organization'
  return null
}

/**
 * The caller's side of search/document.ts datasetLabels: a search document matches when it
 * carries one of these (null: sysadmins, no label filter). Same rule as visiblePackages.
 */
export async function searchLabels(ctx: ActionContext): Promise<string[] | null> {
  if (isSysadmin(ctx)) return null
  const user = ctx.caller.user
  if (!user) return ['public']
  const roles = await callerRoles(ctx)
  const labels = ['public', `creator-${user.id}`]
  for (const [groupId, { capacity, isOrganization }] of roles.groups) {
    if (!isOrganization) continue
    if (roleGrants(capacity, 'read')) labels.push(`member-${groupId}`)
    if (roleGrants(capacity, 'update_dataset')) labels.push(`editor-${groupId}`)
  }
  if (ctx.config.allowDatasetCollaborators) {
    const editCaps = editCollaboratorCapacities(ctx)
    for (const [pkgId, capacity] of roles.collaborations) {
      labels.push(`collaborator-${pkgId}`)
      if (editCaps.includes(capacity)) labels.push(`collaborator-editor-${pkgId}`)
    }
  }
  return labels
}
