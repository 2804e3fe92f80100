import { defineAction, type AnyAction } from '../define.js'
import type { ActionContext } from '../context.js'
import { requireGroupsAuth } from '../../auth/authz.js'
import { ValidationError } from '../../errors.js'
import { requireSource, requireSourceEdit } from '../../harvest/sources/auth.js'
import { writeSource } from '../../harvest/sources/source-write.js'
import { sourceParams } from './source-create.js'

function sourceRef(data: Record<string, unknown>): string {
  const ref = (typeof data.id === 'string' && data.id) || (typeof data.name === 'string' && data.name) || null
  if (!ref) throw new ValidationError({ id: ['Missing value'] })
  return ref
}

async function auth(ctx: ActionContext, data: Record<string, unknown>): Promise<void> {
  const source = await requireSource(ctx, sourceRef(data))
  await requireSourceEdit(ctx, source, (user, id) => `User ${user} not authorized to update harvest source ${id}`)
  await requireGroupsAuth(ctx, data, source.id)
}

function updateAction(mode: 'update' | 'patch'): AnyAction {
  return defineAction({
    name: `harvest_source_${mode}`,
    description:
      mode === 'update'
        ? 'Update a harvest source (id or name): the dict given replaces the stored one, as package_update; url and source_type are required again, an omitted frequency becomes MANUAL and an omitted config is removed. New jobs are aborted when the source stops being active.'
        : 'Update only the given keys of a harvest source (id or name), as package_patch; the harvest settings not given are kept.',
    sideEffectFree: false,
    params: sourceParams,
    auth: (ctx, p) => auth(ctx, p as Record<string, unknown>),
    handler: async (ctx, p) => {
      const data = p as Record<string, unknown>
      return writeSource(ctx, data, mode, sourceRef(data))
    },
  })
}

export const sourceUpdate = updateAction('update')
export const sourcePatch = updateAction('patch')
