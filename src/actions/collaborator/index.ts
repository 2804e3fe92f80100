import type { AnyAction } from '../define.js'
import type { ActionContext } from '../context.js'
import { userName } from '../context.js'
import { defineAction } from '../define.js'
import { NotAuthorized, NotFound, ValidationError } from '../../errors.js'
import { canManageCollaborators, findPackageMeta, type PackageMeta } from '../../auth/authz.js'
import { findUser } from '../../auth/users.js'
import { nowIso } from '../../model/time.js'

/** Dataset collaborators (CKAN's package_collaborator_*), on when ALLOW_DATASET_COLLABORATORS=true. */

function capacities(ctx: ActionContext): string[] {
  return ctx.config.allowAdminCollaborators ? ['admin', 'editor', 'member'] : ['editor', 'member']
}

function requireEnabled(ctx: ActionContext): void {
  if (!ctx.config.allowDatasetCollaborators) throw ValidationError.message('Dataset collaborators not enabled')
}

async function requireManage(ctx: ActionContext, ref: string, what: string, notFound: string): Promise<PackageMeta> {
  const pkg = await findPackageMeta(ctx, ref)
  if (!pkg) throw new NotFound(notFound)
  if (!(await canManageCollaborators(ctx, pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to ${what}`)
  return pkg
}

const idUser = {
  id: { type: 'string', description: 'id or name of the dataset' },
  user_id: { type: 'string', description: 'id or name of the user' },
} as const

const create = defineAction({
  name: 'package_collaborator_create',
  description:
    "Make a user a collaborator on a dataset, or change their capacity. Needs admin rights on the dataset's organization. Returns {package_id, user_id, capacity, modified}. :param id: the dataset's id or name. :param user_id: the user's id or name. :param capacity: 'editor' or 'member' ('admin' too when admin collaborators are allowed).",
  sideEffectFree: false,
  params: { type: 'object', required: ['id', 'user_id', 'capacity'], additionalProperties: true, properties: { ...idUser, capacity: { type: 'string' } } },
  auth: async (ctx, p) => {
    const allowed = capacities(ctx)
    if (!allowed.includes(p.capacity)) throw ValidationError.message(`Role must be one of "${allowed.join(', ')}"`)
    await requireManage(ctx, p.id, 'add collaborators to this dataset', 'Dataset not found')
  },
  handler: async (ctx, p) => {
    requireEnabled(ctx)
    const pkg = (await findPackageMeta(ctx, p.id))!
    const user = await findUser(ctx.db, p.user_id)
    if (!user) throw new NotFound('User not found')
    const row = await ctx.db
      .insertInto('package_member')
      .values({ package_id: pkg.id, user_id: user.id, capacity: p.capacity, modified: nowIso() })
      .onConflict((oc) => oc.columns(['package_id', 'user_id']).doUpdateSet({ capacity: p.capacity, modified: nowIso() }))
      .returningAll()
      .executeTakeFirstOrThrow()
    return { package_id: row.package_id, user_id: row.user_id, capacity: row.capacity, modified: row.modified }
  },
})

const del = defineAction({
  name: 'package_collaborator_delete',
  description: "Remove a collaborator from a dataset. Needs admin rights on its organization. Returns null. :param id: the dataset's id or name. :param user_id: the user's id or name.",
  sideEffectFree: false,
  params: { type: 'object', required: ['id', 'user_id'], additionalProperties: true, properties: idUser },
  auth: async (ctx, p) => void (await requireManage(ctx, p.id, 'remove collaborators from this dataset', 'Package not found')),
  handler: async (ctx, p) => {
    requireEnabled(ctx)
    const pkg = (await findPackageMeta(ctx, p.id))!
    const user = await findUser(ctx.db, p.user_id)
    if (!user) throw new NotFound('User not found')
    const gone = await ctx.db.deleteFrom('package_member').where('package_id', '=', pkg.id).where('user_id', '=', user.id).executeTakeFirst()
    if (Number(gone.numDeletedRows) === 0) throw new NotFound(`User ${p.user_id} is not a collaborator on this package`)
    return null
  },
})

const list = defineAction({
  name: 'package_collaborator_list',
  description: "Return a dataset's collaborators [{package_id, user_id, capacity, modified}]. Needs admin rights on its organization. :param id: the dataset's id or name. :param capacity: only this capacity.",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: idUser.id, capacity: { type: 'string' } } },
  auth: async (ctx, p) => void (await requireManage(ctx, p.id, 'list collaborators from this dataset', 'Package not found')),
  handler: async (ctx, p) => {
    requireEnabled(ctx)
    const pkg = (await findPackageMeta(ctx, p.id))!
    if (p.capacity && !capacities(ctx).includes(p.capacity)) throw ValidationError.message(`Capacity must be one of "${capacities(ctx).join(', ')}"`)
    return ctx.db
      .selectFrom('package_member')
      .select(['package_id', 'user_id', 'capacity', 'modified'])
      .where('package_id', '=', pkg.id)
      .$if(!!p.capacity, (q) => q.where('capacity', '=', p.capacity!))
      .orderBy('modified')
      .orderBy('user_id')
      .execute()
  },
})

const listForUser = defineAction({
  name: 'package_collaborator_list_for_user',
  description: "Return the datasets a user collaborates on [{package_id, capacity, modified}]. Only for yourself (sysadmins: anyone). :param id: the user's id or name. :param capacity: only this capacity.",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', description: "the user's id or name" }, capacity: { type: 'string' } } },
  auth: (ctx, p) => {
    const me = ctx.caller.user
    if (me?.sysadmin) return
    if (!me || (p.id !== me.id && p.id !== me.name)) throw new NotAuthorized()
  },
  handler: async (ctx, p) => {
    requireEnabled(ctx)
    const user = await findUser(ctx.db, p.id)
    if (!user) throw new NotFound('User not found')
    if (p.capacity && !capacities(ctx).includes(p.capacity)) throw ValidationError.message(`Capacity must be one of "${capacities(ctx).join(', ')}"`)
    return ctx.db
      .selectFrom('package_member')
      .select(['package_id', 'capacity', 'modified'])
      .where('user_id', '=', user.id)
      .$if(!!p.capacity, (q) => q.where('capacity', '=', p.capacity!))
      .orderBy('modified')
      .orderBy('package_id')
      .execute()
  },
})

const actions: AnyAction[] = [create, del, list, listForUser]

export default actions
