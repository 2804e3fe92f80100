import { defineAction } from '../define.js'

export default defineAction({
  name: 'site_read',
  description: 'Return true: the site is readable by the caller (kept from CKAN 2.9 for old clients).',
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: {} },
  auth: 'public',
  handler: async () => true,
})
