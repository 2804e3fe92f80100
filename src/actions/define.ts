import type { FromSchema, JSONSchema } from 'json-schema-to-ts'
import type { ActionContext } from './context.js'

/**
 * Who may call an action. `'public'` is an explicit choice (anyone, the handler still applies
 * visibility); a function throws NotAuthorized when the caller may not proceed. Every action
 * must declare one: a registry test fails otherwise.
 */
export type AuthRule<P> = 'public' | ((ctx: ActionContext, params: P) => void | Promise<void>)

export interface Action<P = Record<string, unknown>, R = unknown> {
  name: string
  /** Text returned by help_show and shown in the OpenAPI document. */
  description: string
  /** GET allowed (CKAN's side_effect_free). Only for actions that write nothing. */
  sideEffectFree: boolean
  params: Exclude<JSONSchema, boolean>
  auth: AuthRule<P>
  handler: (ctx: ActionContext, params: P) => Promise<R>
}

/** Types the handler's params from the JSON Schema, so schema and code cannot disagree. */
// P is computed once from S (a default, never inferred): spelling FromSchema<S> in both the auth
// rule and the handler made tsc expand it twice and give up (TS2589).
export function defineAction<const S extends Exclude<JSONSchema, boolean>, R, P = FromSchema<S>>(def: {
  name: string
  description: string
  sideEffectFree: boolean
  params: S
  auth: AuthRule<NoInfer<P>>
  handler: (ctx: ActionContext, params: NoInfer<P>) => Promise<R>
}): AnyAction {
  return def as unknown as AnyAction
}

export type AnyAction = Action<any, unknown>
