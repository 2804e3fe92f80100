import type { Test } from 'tap'
import type { QueryNode, SortField } from '../../src/search/ast.js'
import { documentFromDict, type IndexDocument } from '../../src/search/document.js'
import type { SearchIndex, SearchRequest, SearchResult, VisibilityFilter } from '../../src/search/port.js'
import { SearchError } from '../../src/errors.js'

/** The tag vocabulary the fixtures use: `makeIndex` must let `vocab_paises` resolve to this id. */
export const VOCABULARY = { name: 'paises', id: 'vocab-paises-0001' } as const

/**
 * The one behaviour every SearchIndex adapter promises (src/search/port.ts), run against each
 * adapter by contract-<backend>.test.ts over the same 30 synthetic datasets: public and private,
 * draft and deleted, with and without organization, Spanish titles with accents, case-different
 * formats (`CSV` / `csv`), extras and dates on both sides of range bounds.
 */
export interface ContractOptions {
  /** `name:*agua*` matches inside the value (Meilisearch keeps only the literal prefix: a superset) */
  infixWildcards?: boolean
}

// ---- fixtures -----------------------------------------------------------------------------------

interface Spec {
  n: number
  name: string
  title: string
  notes?: string
  org?: 'agua' | 'hacienda' | 'educacion' | 'ine' | 'ambiente' | 'salud' | null
  tags?: string[]
  groups?: string[]
  formats?: string[]
  extras?: Record<string, string>
  /** tags of VOCABULARY */
  countries?: string[]
  modified: string
  state?: string
  private?: boolean
  license?: string
}

const ORGS = {
  agua: { name: 'ministerio-agua', title: 'Ministerio del Agua' },
  hacienda: { name: 'hacienda', title: 'Ministerio de Hacienda' },
  educacion: { name: 'mineduc', title: 'Ministerio de Educación' },
  ine: { name: 'ine', title: 'Instituto Nacional de Estadísticas' },
  ambiente: { name: 'medio-ambiente', title: 'Ministerio del Medio Ambiente' },
  salud: { name: 'salud', title: 'Ministerio de Salud' },
} as const

const SPECS: Spec[] = [
  {
    n: 1,
    name: 'calidad-agua-potable',
    title: 'Calidad del agua potable',
    notes: 'Mediciones de calidad del agua en ríos y embalses.',
    org: 'agua',
    tags: ['agua', 'medio ambiente'],
    groups: ['medio-ambiente'],
    formats: ['CSV', 'JSON'],
    extras: { frecuencia: 'mensual', region: 'Valparaíso' },
    countries: ['Chile'],
    modified: '2024-03-01T12:00:00Z',
  },
  {
    n: 2,
    name: 'presupuesto-municipal-2023',
    title: 'Presupuesto municipal 2023',
    notes: 'Ejecución presupuestaria de los municipios.',
    org: 'hacienda',
    tags: ['presupuesto', 'finanzas'],
    formats: ['XLSX', 'CSV'],
    extras: { frecuencia: 'anual' },
    modified: '2023-12-31T23:59:59Z',
  },
  {
    n: 3,
    name: 'educacion-matricula',
    title: 'Matrícula de educación superior',
    notes: 'Estudiantes matriculados por institución.',
    org: 'educacion',
    tags: ['educación', 'estudiantes'],
    groups: ['educacion'],
    formats: ['CSV'],
    modified: '2024-06-15T10:00:00Z',
  },
  {
    n: 4,
    name: 'poblacion-censo-2017',
    title: 'Población según censo 2017',
    notes: 'Resultados del censo de población y vivienda.',
    org: 'ine',
    tags: ['censo', 'población'],
    formats: ['CSV', 'PDF'],
    countries: ['Perú'],
    modified: '2022-05-05T00:00:00Z',
  },
  { n: 5, name: 'calidad-aire', title: 'Calidad del aire en Santiago', notes: 'Concentraciones de material particulado.', org: 'ambiente', tags: ['aire', 'medio ambiente'], formats: ['csv'], modified: '2024-01-20T08:30:00Z' },
  {
    n: 6,
    name: 'rios-y-cuencas',
    title: 'Ríos y cuencas hidrográficas',
    notes: 'Caudales de los ríos principales.',
    org: 'agua',
    tags: ['agua', 'hidrografía'],
    formats: ['SHP'],
    countries: ['Chile', 'Perú'],
    modified: '2021-09-09T00:00:00Z',
  },
  { n: 7, name: 'agua-subterranea', title: 'Agua subterránea', notes: 'Pozos y acuíferos.', org: 'agua', tags: ['agua', 'pozos'], formats: ['CSV'], private: true, modified: '2024-02-02T00:00:00Z' },
  { n: 8, name: 'borrador-hospitales', title: 'Hospitales y camas', notes: 'Borrador.', org: 'salud', tags: ['hospitales'], formats: ['CSV'], state: 'draft', modified: '2024-04-04T00:00:00Z' },
  { n: 9, name: 'eliminado-viejo', title: 'Conjunto eliminado', org: 'salud', tags: ['viejo'], state: 'deleted', modified: '2019-01-01T00:00:00Z' },
  { n: 10, name: 'salud-hospitales', title: 'Establecimientos de salud', notes: 'Hospitales, consultorios y postas.', org: 'salud', tags: ['salud', 'hospitales'], formats: ['CSV', 'GeoJSON'], modified: '2023-07-07T00:00:00Z' },
  { n: 11, name: 'transporte-publico', title: 'Transporte público: recorridos', notes: 'Recorridos de buses.', org: null, tags: ['transporte'], formats: ['GTFS'], modified: '2023-03-03T00:00:00Z' },
  { n: 12, name: 'energia-electrica', title: 'Generación de energía eléctrica', notes: 'Generación mensual por central.', org: 'hacienda', tags: ['energía'], formats: [], modified: '2020-02-02T00:00:00Z' },
  { n: 13, name: 'presupuestos-regionales', title: 'Presupuestos regionales', notes: 'Gasto de los gobiernos regionales.', org: 'hacienda', tags: ['presupuesto'], formats: ['CSV'], modified: '2022-11-11T00:00:00Z' },
  { n: 14, name: 'arboles-urbanos', title: 'Árboles urbanos', notes: 'Catastro del arbolado.', org: 'ambiente', tags: ['árboles'], formats: ['CSV'], modified: '2021-04-04T00:00:00Z' },
  { n: 15, name: 'datos-privados', title: 'Datos privados de prueba', notes: 'Sin organización.', org: null, tags: ['prueba'], formats: ['CSV'], private: true, modified: '2022-02-02T00:00:00Z' },
  // Spanish singular / plural pairs (the search conventions), typo bounds and per-dataset facets;
  // all public, with a CSV, under the INE, dated 2020–2021 and named off the a–c range
  {
    n: 16,
    name: 'exportaciones-mineras',
    title: 'Exportaciones mineras',
    notes: 'Valor de las exportaciones por destino.',
    org: 'ine',
    // a document may repeat a value (two CSV files); facets still count the dataset once
    tags: ['comercio exterior', 'comercio exterior'],
    groups: ['comercio-exterior', 'comercio-exterior'],
    formats: ['CSV', 'CSV'],
    modified: '2020-01-15T00:00:00Z',
  },
  {
    n: 17,
    name: 'exportacion-servicios',
    title: 'Exportación de servicios',
    notes: 'Servicios vendidos al exterior.',
    org: 'ine',
    tags: ['comercio exterior'],
    groups: ['comercio-exterior'],
    formats: ['CSV'],
    modified: '2020-02-15T00:00:00Z',
  },
  {
    n: 18,
    name: 'importacion-bienes-capital',
    title: 'Importación de bienes de capital',
    notes: 'Maquinaria y equipos.',
    org: 'ine',
    tags: ['comercio exterior'],
    groups: ['comercio-exterior'],
    formats: ['CSV'],
    modified: '2020-03-15T00:00:00Z',
  },
  { n: 19, name: 'ninos-escolarizados', title: 'Niños escolarizados', notes: 'Tasa de escolarización por edad.', org: 'ine', tags: ['infancia'], formats: ['CSV'], modified: '2020-04-15T00:00:00Z' },
  { n: 20, name: 'controles-peso-nino', title: 'Controles de peso del niño', notes: 'Peso y talla en controles de salud infantil.', org: 'ine', tags: ['infancia'], formats: ['CSV'], modified: '2020-05-15T00:00:00Z' },
  { n: 21, name: 'ciudades-intermedias', title: 'Ciudades intermedias', notes: 'Habitantes por tamaño.', org: 'ine', tags: ['urbanismo'], formats: ['CSV'], modified: '2020-06-15T00:00:00Z' },
  { n: 22, name: 'limpieza-ciudad', title: 'Limpieza de la ciudad', notes: 'Toneladas recolectadas.', org: 'ine', tags: ['urbanismo'], formats: ['CSV'], modified: '2020-07-15T00:00:00Z' },
  { n: 23, name: 'economia-actividad', title: 'Actividad económica mensual', notes: 'Serie mensual.', org: 'ine', tags: ['economía'], formats: ['CSV'], modified: '2020-08-15T00:00:00Z' },
  { n: 24, name: 'cultura-actividades', title: 'Actividades culturales', notes: 'Museos y teatros.', org: 'ine', tags: ['cultura'], formats: ['CSV'], modified: '2020-09-15T00:00:00Z' },
  { n: 25, name: 'luz-publica', title: 'Luz pública por comuna', notes: 'Luminarias instaladas.', org: 'ine', tags: ['iluminación'], formats: ['CSV'], modified: '2020-10-15T00:00:00Z' },
  { n: 26, name: 'semaforos-luces', title: 'Semáforos y luces de tránsito', notes: 'Cruces señalizados.', org: 'ine', tags: ['tránsito'], formats: ['CSV'], modified: '2020-11-15T00:00:00Z' },
  { n: 27, name: 'tramites-primera-vez', title: 'Trámites hechos por primera vez', notes: 'Solicitudes nuevas.', org: 'ine', tags: ['trámites'], formats: ['CSV'], modified: '2020-12-15T00:00:00Z' },
  { n: 28, name: 'consultas-veces', title: 'Consultas médicas: veces por año', notes: 'Frecuencia de consultas.', org: 'ine', tags: ['consultas'], formats: ['CSV'], modified: '2021-01-15T00:00:00Z' },
  { n: 29, name: 'indice-precios', title: 'Índice de precios al consumidor', notes: 'Variación mensual de precios.', org: 'ine', tags: ['precios'], formats: ['CSV'], modified: '2021-02-15T00:00:00Z' },
  { n: 30, name: 'indices-salariales', title: 'Índices salariales', notes: 'Salarios por rama.', org: 'ine', tags: ['salarios'], formats: ['CSV'], modified: '2021-03-15T00:00:00Z' },
]

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const spec = (name: string) => SPECS.find((s) => s.name === name)!

function dict(s: Spec, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const org = s.org ? { id: `org-${s.org}`, ...ORGS[s.org] } : null
  return {
    id: id(s.n),
    name: s.name,
    title: s.title,
    notes: s.notes ?? '',
    state: s.state ?? 'active',
    private: s.private ?? false,
    type: 'dataset',
    owner_org: org?.id ?? null,
    organization: org,
    creator_user_id: 'u1',
    license_id: s.license ?? 'cc-by',
    author: 'Unidad de Datos',
    maintainer: '',
    url: '',
    version: '1.0',
    metadata_created: '2019-06-01T00:00:00',
    metadata_modified: s.modified.replace(/Z$/, ''),
    groups: (s.groups ?? []).map((g) => ({ name: g, title: g.replace(/-/g, ' ') })),
    tags: [...(s.tags ?? []).map((t) => ({ name: t })), ...(s.countries ?? []).map((c) => ({ name: c, vocabulary_id: VOCABULARY.id }))],
    resources: (s.formats ?? []).map((f, i) => ({ format: f, name: `Recurso ${i + 1}`, description: '', url: `https://datos.example.org/${s.name}/${i}.${f.toLowerCase()}` })),
    extras: Object.entries(s.extras ?? {}).map(([key, value]) => ({ key, value })),
    ...overrides,
  }
}

export const CONTRACT_DOCS: IndexDocument[] = SPECS.map((s) => documentFromDict(dict(s)))

const PUBLIC: VisibilityFilter = { labels: ['public'], states: ['active'], includePrivate: false }
const SYSADMIN: VisibilityFilter = { labels: null, states: ['active', 'draft', 'deleted'], includePrivate: true }
const publicSpecs = SPECS.filter((s) => (s.state ?? 'active') === 'active' && !s.private)

// ---- query tree builders -------------------------------------------------------------------------

const ALL: QueryNode = { kind: 'all' }
const term = (field: string | null, value: string, phrase = false): QueryNode => ({ kind: 'term', field, value, phrase })
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children })
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children })
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child })
const wildcard = (field: string | null, pattern: string): QueryNode => ({ kind: 'wildcard', field, pattern })
const exists = (field: string): QueryNode => ({ kind: 'exists', field })
const range = (field: string, lower: string | null, upper: string | null, inclusive: [boolean, boolean] = [true, true]): QueryNode => ({
  kind: 'range',
  field,
  lower: lower === null ? null : { value: lower, inclusive: inclusive[0] },
  upper: upper === null ? null : { value: upper, inclusive: inclusive[1] },
})
const match = (clauses: QueryNode[], minimumMatch: number, must: QueryNode[] = [], mustNot: QueryNode[] = []): QueryNode => ({ kind: 'match', clauses, minimumMatch, must, mustNot })

const BY_SCORE: SortField[] = [
  { field: 'score', dir: 'desc' },
  { field: 'metadata_modified', dir: 'desc' },
]

function request(r: Partial<SearchRequest>): SearchRequest {
  return { query: ALL, filters: [], visibility: PUBLIC, sort: BY_SCORE, rows: 100, start: 0, facetFields: [], facetLimit: 50, facetMincount: 1, ...r }
}

const NAME_OF = new Map(SPECS.map((s) => [id(s.n), s.name]))
const names = (r: SearchResult) => r.ids.map((i) => NAME_OF.get(i) ?? `unknown id ${i}`)
const sorted = (xs: string[]) => [...xs].sort()

/** [value, count] pairs ordered as the port requires: count desc, then value asc. */
function expectedFacet(values: string[][], limit = 50, mincount = 1): Array<[string, number]> {
  const counts = new Map<string, number>()
  for (const vs of values) for (const v of new Set(vs)) counts.set(v, (counts.get(v) ?? 0) + 1)
  const pairs = [...counts].filter(([, c]) => c >= mincount)
  pairs.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return limit < 0 ? pairs : pairs.slice(0, limit)
}

// ---- the suite -----------------------------------------------------------------------------------

export async function searchContract(t: Test, makeIndex: (t: Test) => Promise<SearchIndex>, options: ContractOptions = {}): Promise<void> {
  const index = await makeIndex(t)
  await index.prepare()
  await index.clear()
  await index.upsert(CONTRACT_DOCS)
  const search = (r: Partial<SearchRequest>) => index.search(request(r))
  /** names matching `query` for an anonymous caller, sorted */
  const find = async (query: QueryNode, visibility: VisibilityFilter = PUBLIC) => sorted(names(await search({ query, visibility })))

  t.equal(await index.count(), 30, 'count() counts every stored document, whatever its visibility')

  await t.test('match all, exact fields, case', async (t) => {
    const all = await search({})
    t.equal(all.count, 26, '*:* for an anonymous caller: the 26 public active datasets')
    t.same(sorted(names(all)), sorted(publicSpecs.map((s) => s.name)), 'exactly those datasets')
    t.same(await find(term('tags', 'agua')), ['calidad-agua-potable', 'rios-y-cuencas'], 'tags:agua (the private one hidden)')
    t.same(await find(term('tags', 'Agua')), [], 'exact fields are case-sensitive')
    t.same(await find(term('tags', 'medio ambiente')), ['calidad-agua-potable', 'calidad-aire'], 'a multi-word tag matches as one whole value')
    t.same(await find(term('tags', 'medio')), [], 'an exact field does not match a word of its value')
    t.same(await find(term('res_format', 'csv')), ['calidad-aire'], 'res_format:csv only the lowercase one')
    t.same(await find(term('res_format', 'CSV')), sorted(publicSpecs.filter((s) => s.formats?.includes('CSV')).map((s) => s.name)), 'res_format:CSV')
    t.same(await find(term('organization', 'ministerio-agua')), ['calidad-agua-potable', 'rios-y-cuencas'], 'organization by name')
    t.same(await find(term('owner_org', 'org-hacienda')), ['energia-electrica', 'presupuesto-municipal-2023', 'presupuestos-regionales'], 'owner_org by id')
    t.same(await find(term('name', 'calidad-aire')), ['calidad-aire'], 'name')
    t.same(await find(term('id', id(5))), ['calidad-aire'], 'id')
    t.same(await find(term('groups', 'medio-ambiente')), ['calidad-agua-potable'], 'groups')
    t.same(await find(term('title_string', 'Árboles urbanos')), ['arboles-urbanos'], 'title_string is the whole title')
    t.same(await find(term('no_such_field', 'agua')), [], 'an unknown field matches nothing')
    t.same(await find(term('vocab_paises', 'Chile')), ['calidad-agua-potable', 'rios-y-cuencas'], 'vocab_<vocabulary name>')
    t.same(await find(term('vocab_paises', 'chile')), [], 'vocabulary tags are exact')
    t.same(await find(term('tags', 'Chile')), [], 'vocabulary tags are not free tags')
    t.same(await find(wildcard('vocab_paises', 'Per*')), ['poblacion-censo-2017', 'rios-y-cuencas'], 'a prefix on a vocabulary')
    t.same(await find(term('vocab_otro', 'Chile')), [], 'an unknown vocabulary matches nothing')
    t.same(await find(term('frecuencia', 'mensual')), ['calidad-agua-potable'], 'a bare extra key matches the extra exactly')
    t.same(await find(term('frecuencia', 'Mensual')), [], 'bare extra keys are case-sensitive')
    t.same(await find(term('capacity', 'private'), SYSADMIN), ['agua-subterranea', 'datos-privados'], 'capacity:private')
    t.same(await find(term('private', 'true'), SYSADMIN), ['agua-subterranea', 'datos-privados'], 'private:true')
    t.same(await find(term('num_resources', '0')), ['energia-electrica'], 'an int field by value')
    t.same(await find(term('metadata_modified', '2023-12-31T23:59:59Z')), ['presupuesto-municipal-2023'], 'a date field by value')
  })

  await t.test('text fields: words, accents, case, stemming, typos', async (t) => {
    t.same(await find(term(null, 'agua')), ['calidad-agua-potable', 'rios-y-cuencas'], 'a bare word searches the catch-all (title, tags, organization)')
    t.same(await find(term(null, 'educacion')), ['educacion-matricula'], 'without its accent the word still matches "educación"')
    t.same(await find(term(null, 'EDUCACIÓN')), ['educacion-matricula'], 'text matching ignores case')
    t.same(await find(term(null, 'presupuestos')), ['presupuesto-municipal-2023', 'presupuestos-regionales'], 'the plural finds the singular')
    t.same(await find(term(null, 'poblacon')), ['poblacion-censo-2017'], 'a misspelt word finds its dataset')
    t.same(await find(term('title', 'agua')), ['calidad-agua-potable'], 'title:agua searches the title only')
    t.same(await find(term('notes', 'rios')), ['calidad-agua-potable', 'rios-y-cuencas'], 'notes:rios finds "ríos" in descriptions')
    t.same(await find(term('notes', 'ríos')), ['calidad-agua-potable', 'rios-y-cuencas'], 'and with its accent too')
    t.same(await find(term(null, 'agua potable', true)), ['calidad-agua-potable'], 'a phrase')
    t.same(await find(term(null, 'potable agua', true)), [], 'a phrase keeps its word order')
    t.same(await find(term('extras_region', 'valparaiso')), ['calidad-agua-potable'], 'extras_<key> is text over the extra')
    t.same(await find(term(null, 'valparaiso')), ['calidad-agua-potable'], 'extra values are in the catch-all')
    t.same(await find(term(null, 'ministerio')), sorted(publicSpecs.filter((s) => s.org && s.org !== 'ine').map((s) => s.name)), 'organization titles are in the catch-all')
    const ranked = names(await search({ query: term(null, 'agua') }))
    t.equal(ranked[0], 'calidad-agua-potable', 'sort by score: the word in the title ranks above tags and organization')
  })

  await t.test('Spanish singular and plural meet, with and without accents', async (t) => {
    const pairs: Array<[string[], string[]]> = [
      [
        ['exportación', 'exportaciones', 'exportacion', 'EXPORTACIONES'],
        ['exportacion-servicios', 'exportaciones-mineras'],
      ],
      [
        ['niño', 'niños', 'nino', 'ninos'],
        ['controles-peso-nino', 'ninos-escolarizados'],
      ],
      [
        ['ciudad', 'ciudades'],
        ['ciudades-intermedias', 'limpieza-ciudad'],
      ],
      [
        ['actividad', 'actividades'],
        ['cultura-actividades', 'economia-actividad'],
      ],
      [
        ['luz', 'luces'],
        ['luz-publica', 'semaforos-luces'],
      ],
      [
        ['vez', 'veces'],
        ['consultas-veces', 'tramites-primera-vez'],
      ],
      [
        ['índice', 'índices', 'indice', 'indices'],
        ['indice-precios', 'indices-salariales'],
      ],
    ]
    for (const [forms, expected] of pairs) {
      for (const form of forms) t.same(await find(term(null, form)), expected, `${form}: the singular and the plural dataset`)
    }
    t.same(await find(term('title', 'niños')), ['controles-peso-nino', 'ninos-escolarizados'], 'on a field too')
    t.same(await find(or(term(null, 'ciudades'), term(null, 'luz'))), ['ciudades-intermedias', 'limpieza-ciudad', 'luz-publica', 'semaforos-luces'], 'and inside a boolean tree')
  })

  await t.test('typos: bounded by word length, never widening a known word', async (t) => {
    t.same(await find(term(null, 'comsumidr')), ['indice-precios'], '9 letters take 2 typos: comsumidr finds consumidor')
    t.same(await find(term(null, 'consumdr')), [], 'under 9 letters only 1: consumdr (2 typos from consumidor) finds nothing')
    t.same(await find(term(null, 'piso')), [], 'under 5 letters none: piso does not find peso')
    t.same(await find(term(null, 'capitulo')), [], 'an unknown word with no known word within its bound matches nothing (capital is 2 typos away)')
    t.same(await find(term(null, 'hospital')), ['salud-hospitales'], 'a known word (the singular of hospitales) finds its dataset, never capital')
    t.same(names(await search({ query: term(null, 'importación') })), ['importacion-bienes-capital'], 'a known word is never widened: exportación, 2 typos from importación, is not ranked below it')
    t.same(await find(term(null, 'exportacion')), ['exportacion-servicios', 'exportaciones-mineras'], 'nor the other way')
  })

  await t.test('wildcards, exists, ranges', async (t) => {
    t.same(await find(wildcard('name', 'calidad*')), ['calidad-agua-potable', 'calidad-aire'], 'name:calidad*')
    t.same(await find(wildcard('name', 'Calidad*')), [], 'wildcards on exact fields are case-sensitive')
    t.same(await find(wildcard('tags', 'pres*')), ['presupuesto-municipal-2023', 'presupuestos-regionales'], 'a prefix on a multi-valued field')
    t.same(await find(wildcard('title', 'presu*')), ['presupuesto-municipal-2023', 'presupuestos-regionales'], 'a word prefix on a text field')
    if (options.infixWildcards !== false) {
      t.same(await find(wildcard('name', '*agua*')), ['calidad-agua-potable'], 'name:*agua* matches inside the value')
      t.same(await find(wildcard('name', 'calidad-a?re')), ['calidad-aire'], '? is exactly one character')
    }
    t.same(await find(exists('text')), sorted(publicSpecs.map((s) => s.name)), 'text:* is every dataset')
    t.same(await find(exists('frecuencia')), ['calidad-agua-potable', 'presupuesto-municipal-2023'], 'an extra key has a value')
    t.same(await find(wildcard('frecuencia', '*')), ['calidad-agua-potable', 'presupuesto-municipal-2023'], 'key:* is the same as exists')
    t.same(await find(not(exists('organization'))), ['transporte-publico'], 'NOT organization:* finds the dataset without organization')
    t.same(await find(range('metadata_modified', '2024-01-01T00:00:00Z', null)), ['calidad-agua-potable', 'calidad-aire', 'educacion-matricula'], 'dates from a bound, open above')
    t.same(await find(range('metadata_modified', '2023-07-07T00:00:00Z', '2023-12-31T23:59:59Z')), ['presupuesto-municipal-2023', 'salud-hospitales'], 'inclusive bounds include both ends')
    t.same(await find(range('metadata_modified', '2023-07-07T00:00:00Z', '2023-12-31T23:59:59Z', [false, false])), [], 'exclusive bounds exclude both ends')
    t.same(await find(range('num_resources', '2', null)), ['calidad-agua-potable', 'exportaciones-mineras', 'poblacion-censo-2017', 'presupuesto-municipal-2023', 'salud-hospitales'], 'ints compare by value')
    t.same(await find(range('num_resources', '0', '2', [false, false])), sorted(publicSpecs.filter((s) => s.formats?.length === 1).map((s) => s.name)), 'exclusive int range')
    t.same(await find(range('name', 'a', 'c', [true, false])), ['arboles-urbanos'], 'strings compare lexicographically')
    t.same(await find(range('name', 'calidad-aire', 'calidad-aire')), ['calidad-aire'], 'a one-value string range')
    t.same(await find(range('tags', 'a', 'b')), ['calidad-agua-potable', 'calidad-aire', 'rios-y-cuencas'], 'a range on a multi-valued field: any value inside ("árboles" sorts after "b")')
    t.same(await find(range('title_string', 'P', 'Q', [true, false])), ['poblacion-censo-2017', 'presupuesto-municipal-2023', 'presupuestos-regionales'], 'title_string range')
    const invalid = await search({ query: range('metadata_modified', 'yesterday', null) }).then(
      () => null,
      (err: unknown) => err,
    )
    t.ok(invalid instanceof SearchError, `an invalid date is a Search Error (got ${String(invalid)})`)
  })

  await t.test('boolean structure', async (t) => {
    t.same(await find(and(term('tags', 'agua'), term('res_format', 'CSV'))), ['calidad-agua-potable'], 'AND')
    t.same(await find(or(term('organization', 'salud'), term('tags', 'transporte'))), ['salud-hospitales', 'transporte-publico'], 'OR')
    t.equal((await search({ query: not(term('tags', 'agua')) })).count, 24, 'NOT alone')
    t.same(await find(and(ALL, not(term('res_format', 'CSV')))), ['calidad-aire', 'energia-electrica', 'rios-y-cuencas', 'transporte-publico'], 'NOT on a multi-valued field excludes any value')
    t.same(await find(and(term('tags', 'agua'), not(term(null, 'potable')))), ['rios-y-cuencas'], 'NOT over a text term')
    t.same(await find(or(term('title', 'aire'), term('title', 'energía'))), ['calidad-aire', 'energia-electrica'], 'OR of text terms')
    t.same(await find(or(term('tags', 'censo'), and(term(null, 'calidad'), not(term(null, 'aire'))))), ['calidad-agua-potable', 'poblacion-censo-2017'], 'nested mix of exact and text terms')
    const words = [term(null, 'calidad'), term(null, 'agua'), term(null, 'ríos')]
    t.same(await find(match(words, 2)), ['calidad-agua-potable', 'rios-y-cuencas'], 'DisMax: at least 2 of 3 words')
    t.same(await find(match(words, 1)), ['calidad-agua-potable', 'calidad-aire', 'rios-y-cuencas'], 'DisMax: any of the words')
    t.same(await find(match([term(null, 'calidad')], 1, [], [term('tags', 'aire')])), ['calidad-agua-potable'], 'DisMax -clause')
    t.same(await find(match([term(null, 'calidad')], 1, [term('organization', 'medio-ambiente')])), ['calidad-aire'], 'DisMax +clause')
    t.same(await find(match([term(null, 'de'), term(null, 'embalses')], 2)), ['calidad-agua-potable'], 'a stopword does not make a word required')
    const filtered = await search({ query: term(null, 'agua'), filters: [term('res_format', 'SHP')] })
    t.same(names(filtered), ['rios-y-cuencas'], 'filters are ANDed with the query')
    t.same(names(await search({ filters: [term('tags', 'agua'), term('tags', 'hidrografía')] })), ['rios-y-cuencas'], 'every filter must hold')
  })

  await t.test('visibility', async (t) => {
    t.equal((await search({ visibility: SYSADMIN })).count, 30, 'no label filter, every state, private included: everything')
    t.equal((await search({ visibility: { ...PUBLIC, includePrivate: true } })).count, 26, 'includePrivate does not show what the labels hide')
    const member = { labels: ['public', 'member-org-agua'], states: ['active'], includePrivate: true }
    t.same(sorted(names(await search({ visibility: member }))), sorted([...publicSpecs.map((s) => s.name), 'agua-subterranea']), "a member sees its organization's private dataset")
    t.equal((await search({ visibility: { ...member, includePrivate: false } })).count, 26, 'but not without includePrivate')
    t.same(await find(ALL, { labels: ['public', 'editor-org-salud'], states: ['active', 'draft'], includePrivate: false }), sorted([...publicSpecs.map((s) => s.name), 'borrador-hospitales']), 'an editor sees the draft')
    t.same(await find(ALL, { labels: ['public', 'editor-org-salud'], states: ['active'], includePrivate: false }), sorted(publicSpecs.map((s) => s.name)), 'not without the draft state')
    t.same(await find(ALL, { labels: null, states: ['deleted'], includePrivate: true }), ['eliminado-viejo'], 'states alone')
    t.same(await find(ALL, { labels: ['creator-u1'], states: ['active'], includePrivate: true }), ['datos-privados'], 'the creator label of a dataset without organization')
    t.same(await find(ALL, { labels: [], states: ['active'], includePrivate: true }), [], 'no labels: nothing')
    const facets = await search({ query: term('tags', 'agua'), visibility: member, facetFields: ['tags'] })
    t.same(
      facets.facets.tags.find(([v]) => v === 'agua'),
      ['agua', 3],
      'facets count the private dataset the caller may see',
    )
    const anon = await search({ query: term('tags', 'agua'), facetFields: ['tags'] })
    t.same(
      anon.facets.tags.find(([v]) => v === 'pozos'),
      undefined,
      "and never a hidden dataset's values",
    )
  })

  await t.test('sort and paging', async (t) => {
    const byModified = [...publicSpecs].sort((a, b) => (a.modified < b.modified ? 1 : -1)).map((s) => s.name)
    t.same(names(await search({ sort: [{ field: 'metadata_modified', dir: 'desc' }] })), byModified, 'metadata_modified desc')
    t.same(names(await search({ sort: [{ field: 'metadata_modified', dir: 'asc' }] })), [...byModified].reverse(), 'metadata_modified asc')
    const byName = publicSpecs.map((s) => s.name).sort()
    t.same(names(await search({ sort: [{ field: 'name', dir: 'asc' }] })), byName, 'name asc')
    t.same(names(await search({ sort: [{ field: 'name', dir: 'desc' }] })), [...byName].reverse(), 'name desc')
    // code point order, as Solr's string sort: "Árboles" after every unaccented capital
    const byTitle = [...publicSpecs].sort((a, b) => (a.title < b.title ? -1 : 1)).map((s) => s.name)
    t.same(names(await search({ sort: [{ field: 'title_string', dir: 'asc' }] })), byTitle, 'title_string asc')
    t.same(names(await search({ sort: [{ field: 'title_string', dir: 'desc' }] })), [...byTitle].reverse(), 'title_string desc')
    t.same(
      names(
        await search({
          sort: [
            { field: 'score', dir: 'desc' },
            { field: 'name', dir: 'asc' },
          ],
        }),
      ),
      byName,
      'without text, score ties everywhere and the next field decides',
    )
    const calidad = names(
      await search({
        query: term('tags', 'medio ambiente'),
        sort: [
          { field: 'score', dir: 'desc' },
          { field: 'metadata_modified', dir: 'asc' },
        ],
      }),
    )
    t.same(calidad, ['calidad-aire', 'calidad-agua-potable'], 'score ties on an exact-field query are broken by the next sort field')
    const text = names(await search({ query: term(null, 'agua'), sort: [{ field: 'name', dir: 'desc' }] }))
    t.same(text, ['rios-y-cuencas', 'calidad-agua-potable'], 'a text query sorted by a field follows the field, not relevance')

    const byCount = [...publicSpecs].sort((a, b) => (b.formats?.length ?? 0) - (a.formats?.length ?? 0) || a.n - b.n).map((s) => s.name)
    t.same(names(await search({ sort: [{ field: 'num_resources', dir: 'desc' }] })), byCount, 'ties on the sort field in id order (stable paging)')

    const sortName: SortField[] = [{ field: 'name', dir: 'asc' }]
    const p1 = await search({ sort: sortName, rows: 3, start: 0 })
    const p2 = await search({ sort: sortName, rows: 3, start: 3 })
    t.same(names(p1), byName.slice(0, 3), 'first page')
    t.same(names(p2), byName.slice(3, 6), 'second page')
    t.equal(p2.count, 26, 'count ignores rows/start')
    t.same(names(await search({ sort: sortName, rows: 4, start: 5 })), byName.slice(5, 9), 'a start that is not a multiple of rows')
    const none = await search({ rows: 0, facetFields: ['organization'] })
    t.same([none.ids, none.count, none.facets.organization.length > 0], [[], 26, true], 'rows=0: count and facets only')
    const past = await search({ start: 50, rows: 10 })
    t.same([past.ids, past.count], [[], 26], 'past the end: no results, same count')
  })

  await t.test('facets', async (t) => {
    const all = await search({ facetFields: ['tags', 'res_format', 'organization', 'license_id'] })
    t.same(all.facets.tags, expectedFacet(publicSpecs.map((s) => s.tags ?? [])), 'tags: count desc, then value asc')
    t.same(all.facets.res_format, expectedFacet(publicSpecs.map((s) => s.formats ?? [])), 'res_format keeps CSV and csv apart')
    t.same(all.facets.organization, expectedFacet(publicSpecs.filter((s) => s.org).map((s) => [ORGS[s.org!].name])), 'organization names; no entry for datasets without one')
    t.same(all.facets.license_id, [['cc-by', 26]], 'single-valued field')
    const limited = await search({ facetFields: ['tags'], facetLimit: 2 })
    t.same(
      limited.facets.tags,
      expectedFacet(
        publicSpecs.map((s) => s.tags ?? []),
        2,
      ),
      'facetLimit keeps the top values',
    )
    const min = await search({ facetFields: ['tags'], facetMincount: 2 })
    t.same(
      min.facets.tags,
      expectedFacet(
        publicSpecs.map((s) => s.tags ?? []),
        50,
        2,
      ),
      'facetMincount drops rarer values',
    )
    const unlimited = await search({ facetFields: ['tags'], facetLimit: -1, visibility: SYSADMIN })
    t.same(
      unlimited.facets.tags,
      expectedFacet(
        SPECS.map((s) => s.tags ?? []),
        -1,
      ),
      'a negative limit: every value, over every visible dataset',
    )
    const filtered = await search({ query: term(null, 'presupuesto'), facetFields: ['organization', 'res_format'] })
    t.same(
      filtered.facets,
      {
        organization: [['hacienda', 2]],
        res_format: [
          ['CSV', 2],
          ['XLSX', 1],
        ],
      },
      'facets count only the matching datasets',
    )
    const empty = await search({ query: term('tags', 'nada'), facetFields: ['tags'] })
    t.same([empty.count, empty.facets], [0, { tags: [] }], 'no match: an empty list per requested field')
    const vocab = await search({ facetFields: ['vocab_paises'] })
    t.same(
      vocab.facets.vocab_paises,
      [
        ['Chile', 2],
        ['Perú', 2],
      ],
      'facets on a vocabulary',
    )
    const extra = await search({ facetFields: ['frecuencia'] })
    t.same(
      extra.facets.frecuencia,
      [
        ['anual', 1],
        ['mensual', 1],
      ],
      'facets on an extra key',
    )
  })

  await t.test('facets count datasets, not values', async (t) => {
    const one = await search({ query: term('name', 'exportaciones-mineras'), facetFields: ['res_format', 'tags', 'groups'] })
    t.same(one.facets, { res_format: [['CSV', 1]], tags: [['comercio exterior', 1]], groups: [['comercio-exterior', 1]] }, 'a dataset with two CSV files (and a repeated tag and group) counts once for each')
    const fields = ['res_format', 'tags', 'groups']
    const all = await search({ facetFields: fields, facetLimit: -1 })
    t.equal(all.facets.res_format.find(([v]) => v === 'CSV')?.[1], 22, 'CSV: the 22 public datasets with a CSV file')
    for (const field of fields) {
      const differ: string[] = []
      for (const [value, c] of all.facets[field]) {
        const n = (await search({ filters: [term(field, value)], rows: 0 })).count
        if (n !== c) differ.push(`${value}: facet ${c}, fq ${n}`)
      }
      t.same(differ, [], `each ${field} count is what fq=${field}:<value> finds`)
    }
  })

  await t.test('writes: upsert replaces, remove, clear', async (t) => {
    const s = spec('calidad-agua-potable')
    await index.upsert([documentFromDict(dict(s, { title: 'Calidad del agua tratada', tags: [{ name: 'agua' }] }))])
    t.equal(await index.count(), 30, 'upserting an existing id replaces it')
    t.same(await find(term('title', 'potable')), [], 'the old title is gone')
    t.same(await find(term('title', 'tratada')), ['calidad-agua-potable'], 'the new title is searchable')
    t.same(await find(term('tags', 'medio ambiente')), ['calidad-aire'], 'a removed tag no longer matches')
    t.same(names(await search({ query: term('name', 'calidad-agua-potable') })).length, 1, 'one document per id')
    t.same((await search({ query: term('title', 'tratada') })).ids, [id(1)], 'results are ids')

    await index.remove([id(6), 'no-such-id'])
    t.equal(await index.count(), 29, 'remove deletes by id; unknown ids are ignored')
    t.same(await find(term('tags', 'agua')), ['calidad-agua-potable'], 'a removed dataset is not found')
    await index.upsert([documentFromDict(dict(spec('rios-y-cuencas')))])
    t.same(await find(term('tags', 'agua')), ['calidad-agua-potable', 'rios-y-cuencas'], 'and can come back')

    await index.clear()
    t.equal(await index.count(), 0, 'clear empties the index')
    const after = await search({ visibility: SYSADMIN, facetFields: ['tags'] })
    t.same([after.count, after.ids, after.facets], [0, [], { tags: [] }], 'an empty index answers an empty result')
  })
}
