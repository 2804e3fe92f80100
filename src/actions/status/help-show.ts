import { defineAction } from '../define.js'
import { NotFound } from '../../errors.js'

export default defineAction({
  name: 'help_show',
  description: 'Return the help string for a particular API action.',
  sideEffectFree: true,
  params: { type: 'object', required: ['name'], additionalProperties: true, properties: { name: { type: 'string' } } },
  auth: 'public',
  handler: async (ctx, p) => {
    const help = ctx.actionHelp(p.name)
    if (help === undefined) throw new NotFound('Action function not found')
    return help
  },
})
