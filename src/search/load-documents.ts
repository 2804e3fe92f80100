import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { findLicense } from '../model/licenses.js'
import { datasetLabels, type IndexDocument } from './document.js'
import { HARVEST_EXTRAS_SQL } from '../model/package-dict.js'

type Row = Omit<IndexDocument, 'license' | 'permission_labels'>

/**
 * Index documents for these datasets straight from the tables, in one statement: what indexing
 * costs is this query, not rendering full dataset dicts. Same fields and rules as
 * documentFromDict over package_show (active resources, active groups, the active owner org).
 */
export async function loadDocuments(db: Kysely<Database>, ids: string[]): Promise<IndexDocument[]> {
  if (ids.length === 0) return []
  // tags are joined set-based for the whole batch: per dataset, the planner hashed the whole tag table twice
  const { rows } = await sql<Row>`
    WITH pt AS (
      SELECT pt.package_id, tg.name, tg.vocabulary_id FROM package_tag pt JOIN tag tg ON tg.id = pt.tag_id
       WHERE pt.package_id = ANY(${ids}::text[]) AND pt.state = 'active'),
    t AS (
      SELECT package_id, array_agg(name ORDER BY name) FILTER (WHERE vocabulary_id IS NULL) AS free, count(*) AS n FROM pt GROUP BY 1),
    v AS (
      SELECT package_id, jsonb_object_agg(vocabulary_id, names) AS vocab
        FROM (SELECT package_id, vocabulary_id, jsonb_agg(name ORDER BY name) AS names FROM pt WHERE vocabulary_id IS NOT NULL GROUP BY 1, 2) x GROUP BY 1)
    SELECT p.id, p.name, coalesce(p.title, '') AS title, coalesce(p.notes, '') AS notes, p.state, p.private, p.type,
      p.owner_org, o.name AS organization, coalesce(o.title, '') AS organization_title,
      coalesce(g.names, '{}') AS groups, coalesce(g.titles, '{}') AS group_titles,
      coalesce(t.free, '{}') AS tags, coalesce(v.vocab, '{}') AS vocab, coalesce(t.n, 0)::int AS num_tags,
      coalesce(r.res_format, '{}') AS res_format, coalesce(r.res_name, '{}') AS res_name,
      coalesce(r.res_description, '{}') AS res_description, coalesce(r.res_url, '{}') AS res_url,
      coalesce(r.res_type, '{}') AS res_type, coalesce(r.n, 0)::int AS num_resources,
      coalesce(p.license_id, '') AS license_id, coalesce(p.author, '') AS author, coalesce(p.author_email, '') AS author_email,
      coalesce(p.maintainer, '') AS maintainer, coalesce(p.maintainer_email, '') AS maintainer_email,
      coalesce(p.url, '') AS url, coalesce(p.version, '') AS version,
      to_char(p.metadata_created, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS metadata_created,
      to_char(p.metadata_modified, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS metadata_modified,
      coalesce(${HARVEST_EXTRAS_SQL}::jsonb, '{}') || coalesce((SELECT jsonb_object_agg(e ->> 'key', coalesce(e ->> 'value', '')) FROM jsonb_array_elements(p.extras) e), '{}') AS extras,
      p.creator_user_id
    FROM package p
    LEFT JOIN "group" o ON o.id = p.owner_org AND o.state = 'active'
    LEFT JOIN LATERAL (
      SELECT array_agg(gr.name ORDER BY gr.name) AS names, array_agg(gr.title ORDER BY gr.name) FILTER (WHERE gr.title <> '') AS titles
        FROM member m JOIN "group" gr ON gr.id = m.group_id
       WHERE m.table_name = 'package' AND m.table_id = p.id AND m.state = 'active' AND gr.state = 'active' AND NOT gr.is_organization) g ON true
    LEFT JOIN t ON t.package_id = p.id
    LEFT JOIN v ON v.package_id = p.id
    LEFT JOIN LATERAL (
      SELECT array_agg(rs.format ORDER BY rs.position) FILTER (WHERE rs.format <> '') AS res_format,
             array_agg(rs.name ORDER BY rs.position) FILTER (WHERE coalesce(rs.name, '') <> '') AS res_name,
             array_agg(rs.description ORDER BY rs.position) FILTER (WHERE coalesce(rs.description, '') <> '') AS res_description,
             array_agg(rs.url ORDER BY rs.position) FILTER (WHERE rs.url <> '') AS res_url,
             array_agg(rs.resource_type ORDER BY rs.position) FILTER (WHERE coalesce(rs.resource_type, '') <> '') AS res_type,
             count(*) AS n
        FROM resource rs WHERE rs.package_id = p.id AND rs.state = 'active') r ON true
    WHERE p.id = ANY(${ids}::text[])`.execute(db)
  return rows.map((row) => ({
    ...row,
    title: row.title.trimStart(),
    license: findLicense(row.license_id)?.title ?? row.license_id,
    permission_labels: datasetLabels(row),
  }))
}
