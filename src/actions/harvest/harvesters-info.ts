import { defineAction } from '../define.js'
import { HARVESTER_INFO } from '../../harvest/harvesters/index.js'

export default defineAction({
  name: 'harvesters_info_show',
  description: 'List the harvester types a source may use, each as {name, title, description, form_config_interface, show_config}.',
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: {} },
  auth: 'public',
  handler: async () => HARVESTER_INFO.map((h) => ({ ...h, show_config: h.form_config_interface === 'Text' })),
})
