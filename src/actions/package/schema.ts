/**
 * The dataset dict as an action parameter. Field rules and CKAN's messages live in
 * model/package-validate.ts; this schema documents the shape (OpenAPI) and rejects only what
 * is not a dict at all.
 */
export const datasetParams = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    name: {},
    title: {},
    owner_org: {},
    private: {},
    license_id: {},
    notes: {},
    url: {},
    version: {},
    author: {},
    author_email: {},
    maintainer: {},
    maintainer_email: {},
    state: {},
    type: {},
    resources: { type: 'array' },
    tags: { type: 'array' },
    tag_string: { type: 'string' },
    extras: { type: 'array' },
    groups: { type: 'array' },
  },
} as const
