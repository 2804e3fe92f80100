import { defineAction } from '../define.js'
import { LICENSES, licenseListItem } from '../../model/licenses.js'

export default defineAction({
  name: 'license_list',
  description: "Return the list of licenses available for datasets on the site (CKAN's default register).",
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: {} },
  auth: 'public',
  handler: async () => LICENSES.map(licenseListItem),
})
