import t from 'tap'
import { world, addCollaborator, ROLES, type Role, type World } from '../auth/roles-fixtures.js'

/**
 * Every activity read path × every role × every kind of dataset: an activity shows exactly where
 * its frozen labels meet the caller's, and where the path's own rule (read or edit the dataset
 * now, public datasets only in group streams) lets it through.
 */

type Audience = ReadonlySet<Role>
const ALL: Audience = new Set(ROLES)
/** readers of private and deleted datasets of org1 (any capacity, collaborators) */
const PRIV: Audience = new Set<Role>(['member', 'editor', 'admin', 'collab_member', 'collab_editor', 'sysadmin'])
/** readers of drafts, and editors of any of them */
const EDIT: Audience = new Set<Role>(['editor', 'admin', 'collab_editor', 'sysadmin'])

interface Made {
  kind: string
  id: string
  /** oldest first: each activity's type and who may read it by its labels */
  history: { type: string; audience: Audience }[]
  /** who may read the dataset now (package_show) */
  readNow: Audience
  /** public now and owned by org1: in org1's stream */
  inOrgStream: boolean
  /** in group1's stream (public now; active, or deleted with its membership) */
  inGroupStream: boolean
}

async function make(w: World, name: string, create: Record<string, unknown>, then: Record<string, unknown>[] = [], del = false): Promise<string> {
  const d = await w.ok('package_create', { name, owner_org: 'org1', groups: [{ name: 'group1' }], ...create })
  await addCollaborator(w.db.kysely, d.id, w.users.collab_member.id, 'member')
  await addCollaborator(w.db.kysely, d.id, w.users.collab_editor.id, 'editor')
  for (const patch of then) await w.ok('package_patch', { id: d.id, ...patch })
  if (del) await w.ok('package_delete', { id: d.id })
  return d.id
}

t.test('activity visibility: every read path × role × dataset', async (t) => {
  const w = await world(t)
  const made: Made[] = [
    {
      kind: 'public',
      id: await make(w, 'ds-public', {}, [{ title: 'v2' }]),
      history: [
        { type: 'new package', audience: ALL },
        { type: 'changed package', audience: ALL },
      ],
      readNow: ALL,
      inOrgStream: true,
      inGroupStream: true,
    },
    {
      kind: 'private',
      id: await make(w, 'ds-private', { private: true }, [{ title: 'v2' }]),
      history: [
        { type: 'new package', audience: PRIV },
        { type: 'changed package', audience: PRIV },
      ],
      readNow: PRIV,
      inOrgStream: false,
      inGroupStream: false,
    },
    {
      kind: 'draft',
      id: await make(w, 'ds-draft', { state: 'draft' }, [{ title: 'v2' }]),
      history: [
        { type: 'new package', audience: EDIT },
        { type: 'changed package', audience: EDIT },
      ],
      readNow: EDIT,
      inOrgStream: true,
      inGroupStream: false,
    },
    {
      kind: 'deleted',
      id: await make(w, 'ds-deleted', {}, [{ title: 'v2' }], true),
      history: [
        { type: 'new package', audience: ALL },
        { type: 'changed package', audience: ALL },
        { type: 'deleted package', audience: PRIV },
      ],
      readNow: PRIV,
      inOrgStream: true,
      inGroupStream: true,
    },
    {
      kind: 'published',
      id: await make(w, 'ds-published', { private: true }, [{ title: 'v2' }, { private: false }]),
      history: [
        { type: 'new package', audience: PRIV },
        { type: 'changed package', audience: PRIV },
        { type: 'changed package', audience: ALL },
      ],
      readNow: ALL,
      inOrgStream: true,
      inGroupStream: true,
    },
  ]
  // every activity, as the sysadmin sees them, oldest first per dataset
  const activities = new Map<string, { id: string; activity_type: string }[]>()
  for (const d of made) {
    const list = await w.ok('package_activity_list', { id: d.id })
    t.same(
      list.map((a: any) => a.activity_type).reverse(),
      d.history.map((h) => h.type),
      `${d.kind}: the history recorded`,
    )
    activities.set(d.id, list.reverse())
  }
  const idsOf = (d: Made, role: Role, rule: (d: Made) => boolean) =>
    rule(d)
      ? activities
          .get(d.id)!
          .filter((_, i) => d.history[i].audience.has(role))
          .map((a) => a.id)
      : []

  for (const role of ROLES) {
    const token = w.token(role)
    const seenIn = async (name: string, body: Record<string, unknown>) => new Set<string>((await w.ok(name, { ...body, limit: 100 }, { token })).map((a: any) => a.id))
    const lists: [string, Set<string>, (d: Made) => boolean][] = [
      ['organization_activity_list', await seenIn('organization_activity_list', { id: 'org1' }), (d) => d.inOrgStream],
      ['group_activity_list', await seenIn('group_activity_list', { id: 'group1' }), (d) => d.inGroupStream],
      ['user_activity_list', await seenIn('user_activity_list', { id: 'admin' }), () => true],
      ['recently_changed_packages_activity_list', await seenIn('recently_changed_packages_activity_list', {}), () => true],
    ]
    for (const d of made) {
      for (const [name, seen, rule] of lists) {
        const got = activities
          .get(d.id)!
          .filter((a) => seen.has(a.id))
          .map((a) => a.id)
        t.same(got, idsOf(d, role, rule), `${name} × ${role} × ${d.kind}`)
      }
      const res = await w.call('package_activity_list', { id: d.id }, { token })
      if (d.readNow.has(role)) {
        t.equal(res.statusCode, 200, `package_activity_list × ${role} × ${d.kind}`)
        t.same(
          res
            .json()
            .result.map((a: any) => a.id)
            .reverse(),
          idsOf(d, role, () => true),
          `package_activity_list × ${role} × ${d.kind}: readable history`,
        )
      } else {
        t.equal(res.statusCode, 403, `package_activity_list × ${role} × ${d.kind}: refused`)
        t.notOk(res.body.includes('"activity_type"'), 'nothing of the history')
      }
      // by id: labels, then the dataset's read (show) or edit (data, diff) rule now
      for (const [i, a] of activities.get(d.id)!.entries()) {
        const labelled = d.history[i].audience.has(role)
        const show = await w.call('activity_show', { id: a.id }, { token })
        t.equal(show.statusCode, labelled && d.readNow.has(role) ? 200 : 403, `activity_show × ${role} × ${d.kind} #${i}`)
        const data = await w.call('activity_data_show', { id: a.id, object_type: 'package' }, { token })
        t.equal(data.statusCode, labelled && EDIT.has(role) ? 200 : 403, `activity_data_show × ${role} × ${d.kind} #${i}`)
        if (i === 0) continue
        const diff = await w.call('activity_diff', { id: a.id, object_type: 'package' }, { token })
        const previousLabelled = d.history[i - 1].audience.has(role)
        t.equal(diff.statusCode, labelled && previousLabelled && EDIT.has(role) ? 200 : 403, `activity_diff × ${role} × ${d.kind} #${i}`)
        for (const r of [show, data, diff]) {
          if (r.statusCode !== 200) t.notOk(r.body.includes(`ds-${d.kind}`), 'a refusal names nothing of the dataset')
        }
      }
    }
  }
})
