import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findPackageMeta } from '../../auth/authz.js'
import type { PackageDict } from '../../model/package-dict.js'
import { datasetGraph, formatParam, site } from '../../dcat/write/catalog.js'
import { parseProfiles } from '../../dcat/write/profiles.js'
import { serialize } from '../../dcat/write/serialize.js'

export default defineAction({
  name: 'dcat_dataset_show',
  description:
    "One dataset as DCAT RDF.\n\nParams: id (id or name), format (rdf/xml default, ttl, n3, nt, jsonld), profiles (euro_dcat_ap_3 default, schemaorg; list or comma-separated).\n\nReturns the serialised graph as a string. Visibility is package_show's; a deleted dataset is not found except for sysadmins.",
  // writes nothing, so GET is allowed (ckanext-dcat only takes POST here)
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', minLength: 1 },
      format: { type: 'string' },
      profiles: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
  } as const,
  // package_show below applies the read rule to the dataset it loads
  auth: 'public',
  handler: async (ctx, p) => {
    const profiles = parseProfiles(p.profiles)
    const format = formatParam(p.format, 'rdfxml')
    let dict: PackageDict
    try {
      dict = await ctx.call<PackageDict>('package_show', { id: p.id })
    } catch (err) {
      // a deleted dataset is gone for everyone but sysadmins, rather than forbidden
      if (err instanceof NotAuthorized && (await findPackageMeta(ctx, p.id))?.state === 'deleted') throw new NotFound()
      throw err
    }
    if (dict.state === 'deleted' && !isSysadmin(ctx)) throw new NotFound()
    return serialize(datasetGraph(dict, profiles, site(ctx)).quads, format)
  },
})
