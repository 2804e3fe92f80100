import t from 'tap'
import { testApp } from '../helpers/app.js'
import { parseIsoDate } from '../../src/model/time.js'
import { corpusFile, corpusRecords, loadCorpusGroups, toCreate, type Dict } from '../helpers/corpus.js'

t.test('every dataset of the real corpus survives package_create → package_show', async (t) => {
  const records = corpusRecords()
  t.equal(records.length, 200, `the sample corpus ${corpusFile()}`)
  const { ok } = await testApp(t)

  await loadCorpusGroups(ok, records)

  let mismatches = 0
  for (const rec of records) {
    const created = await ok('package_create', toCreate(rec))
    const shown = await ok('package_show', { id: rec.name }, { token: null })
    const expected = {
      name: rec.name,
      title: rec.title,
      notes: rec.notes,
      url: rec.url ?? null,
      author: rec.author ?? null,
      author_email: rec.author_email?.trim() ?? null, // CKAN strips e-mails
      maintainer: rec.maintainer ?? null,
      maintainer_email: rec.maintainer_email?.trim() ?? null,
      license_id: rec.license_id,
      private: false,
      state: 'active',
      type: 'dataset',
      // CKAN keeps naive UTC: "…Z" and offsets come back converted, without a zone
      metadata_modified: parseIsoDate(rec.metadata_modified),
      organization: rec.organization.name,
      num_resources: rec.num_resources,
      num_tags: rec.num_tags,
      tags: rec.tags.map((x: Dict) => x.name).sort(),
      extras: [...rec.extras].sort((a: Dict, b: Dict) => (a.key < b.key ? -1 : 1)),
      groups: rec.groups.map((g: Dict) => g.name).sort(),
      resources: rec.resources.map((r: Dict, i: number) => ({
        name: r.name,
        description: r.description,
        format: r.format,
        url: r.url,
        mimetype: r.mimetype ?? null,
        size: r.size ?? null,
        created: parseIsoDate(r.created),
        last_modified: r.last_modified ? parseIsoDate(r.last_modified) : null,
        position: i,
        accessURL: r.accessURL,
        fileName: r.fileName,
        attributesDescription: r.attributesDescription,
      })),
    }
    const actual = {
      name: shown.name,
      title: shown.title,
      notes: shown.notes,
      url: shown.url,
      author: shown.author,
      author_email: shown.author_email,
      maintainer: shown.maintainer,
      maintainer_email: shown.maintainer_email,
      license_id: shown.license_id,
      private: shown.private,
      state: shown.state,
      type: shown.type,
      metadata_modified: shown.metadata_modified,
      organization: shown.organization?.name,
      num_resources: shown.num_resources,
      num_tags: shown.num_tags,
      tags: shown.tags.map((x: Dict) => x.name),
      extras: shown.extras,
      groups: shown.groups.map((g: Dict) => g.name),
      resources: shown.resources.map((r: Dict) => ({
        name: r.name,
        description: r.description,
        format: r.format,
        url: r.url,
        mimetype: r.mimetype,
        size: r.size,
        created: r.created,
        last_modified: r.last_modified,
        position: r.position,
        accessURL: r.accessURL,
        fileName: r.fileName,
        attributesDescription: r.attributesDescription,
      })),
    }
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      mismatches++
      if (mismatches <= 3) t.same(actual, expected, `dataset ${rec.name} round-trips`)
    }
    if (JSON.stringify(created) !== JSON.stringify(shown)) {
      mismatches++
      if (mismatches <= 3) t.same(shown, created, `package_show of ${rec.name} equals package_create's answer`)
    }
  }
  t.equal(mismatches, 0, 'no dataset changed on the way in and out')
  const names = await ok('package_list', {}, { token: null })
  t.equal(names.length, records.length)
  t.same(names, records.map((r) => r.name).sort(), 'package_list lists every dataset, sorted')
})
