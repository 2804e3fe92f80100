import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// Modules that import each other, even for types only, cannot be read, moved or tested apart.
const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : []
  })
}

/** Relative imports of a module, as file paths (static, dynamic and type-only alike). */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)].map((m) => path.join(path.dirname(file), `${m[1]}.ts`))
}

/** Groups of modules that reach each other (Tarjan's strongly connected components of size > 1). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const group: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      group.push(path.relative(src, w))
    } while (w !== v)
    if (group.length > 1) found.push(group.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}

t.test('the finder sees a cycle made of type-only imports', async (t) => {
  const a = path.join(src, 'a.ts')
  const b = path.join(src, 'b.ts')
  const graph = new Map([
    [a, importsOf(a, "import type { B } from './b.js'")],
    [b, importsOf(b, "import { a } from './a.js'")],
  ])
  t.same(cycles(graph), [['a.ts', 'b.ts']])
})

t.test('src/ has no import cycles', async (t) => {
  const files = sources(src)
  t.ok(files.length > 100, 'the sources were found')
  const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]))
  t.same(cycles(graph), [], 'no module reaches itself through its imports')
})
