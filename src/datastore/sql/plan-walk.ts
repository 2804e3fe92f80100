import { functionCalls, tokenize, type FunctionCall } from './lexer.js'

/**
 * What a query touches, read from its plan (`EXPLAIN (VERBOSE, FORMAT JSON)`): the relations it
 * scans, with their schemas (views already expanded by the planner), and the functions its
 * expressions call as the planner deparses them, whatever spelling the client used.
 */

export interface PlanUse {
  relations: { schema: string; name: string }[]
  functions: FunctionCall[]
}

/** Keys of a plan node that hold names or labels, not expressions. */
const NOT_EXPRESSIONS = new Set([
  'Node Type',
  'Parent Relationship',
  'Relation Name',
  'Schema',
  'Alias',
  'Index Name',
  'Strategy',
  'Partial Mode',
  'Join Type',
  'Subplan Name',
  'CTE Name',
  'Function Name',
  'Scan Direction',
  'Sort Method',
  'Operation',
  'Command',
  'Setop',
  'Sort Space Type',
  'Async Capable',
])

export function planUse(explain: unknown): PlanUse {
  const use: PlanUse = { relations: [], functions: [] }
  const root = Array.isArray(explain) ? (explain[0] as { Plan?: unknown })?.Plan : undefined
  const visit = (node: Record<string, unknown>) => {
    if (typeof node['Relation Name'] === 'string') use.relations.push({ schema: String(node.Schema ?? ''), name: node['Relation Name'] })
    if (typeof node['Function Name'] === 'string') use.functions.push({ schema: typeof node.Schema === 'string' ? node.Schema : null, name: node['Function Name'] })
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Plans' && Array.isArray(value)) {
        for (const child of value) if (child && typeof child === 'object') visit(child as Record<string, unknown>)
        continue
      }
      if (NOT_EXPRESSIONS.has(key)) continue
      const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
      for (const text of texts) {
        try {
          use.functions.push(...functionCalls(tokenize(text)))
        } catch {
          // unreadable: refused rather than guessed harmless
          use.functions.push({ schema: null, name: `(${key})` })
        }
      }
    }
  }
  if (root && typeof root === 'object') visit(root as Record<string, unknown>)
  return use
}
