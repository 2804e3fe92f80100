import type { AnyAction } from './define.js'
import packageActions from './package/index.js'
import resourceActions from './resource/index.js'
import organizationActions from './organization/index.js'
import groupActions from './group/index.js'
import memberActions from './member/index.js'
import collaboratorActions from './collaborator/index.js'
import tagActions from './tag/index.js'
import licenseActions from './license/index.js'
import statusActions from './status/index.js'
import userActions from './user/index.js'
import tokenActions from './token/index.js'
import dcatActions from './dcat/index.js'
import harvestActions from './harvest/index.js'
import activityActions from './activity/index.js'
import followActions from './follow/index.js'
import changesActions from './changes/index.js'
import datastoreActions from './datastore/index.js'
import resourceViewActions from './resource-view/index.js'

/** Every action of the API, by name. Adding an action = adding it to its family's index. */
export class ActionRegistry {
  private readonly byName = new Map<string, AnyAction>()

  constructor(actions: AnyAction[]) {
    for (const a of actions) {
      if (this.byName.has(a.name)) throw new Error(`action ${a.name} registered twice`)
      this.byName.set(a.name, a)
    }
  }

  get(name: string): AnyAction | undefined {
    return this.byName.get(name)
  }

  all(): AnyAction[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name))
  }
}

export function defaultRegistry(): ActionRegistry {
  return new ActionRegistry([
    ...statusActions,
    ...licenseActions,
    ...packageActions,
    ...resourceActions,
    ...organizationActions,
    ...groupActions,
    ...memberActions,
    ...collaboratorActions,
    ...tagActions,
    ...userActions,
    ...tokenActions,
    ...dcatActions,
    ...harvestActions,
    ...activityActions,
    ...followActions,
    ...changesActions,
    ...datastoreActions,
    ...resourceViewActions,
  ])
}
