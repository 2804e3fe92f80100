import t from 'tap'
import { functionCalls, statementCount, tokenize } from '../../src/datastore/sql/lexer.js'
import { planUse } from '../../src/datastore/sql/plan-walk.js'
import { functionAllowed } from '../../src/datastore/sql/allowed-functions.js'
import { parseArray } from '../../src/datastore/sql/values.js'

const calls = (sql: string) => functionCalls(tokenize(sql)).map((f) => (f.schema ? `${f.schema}.${f.name}` : f.name))

t.test('statements', async (t) => {
  t.equal(statementCount(tokenize('SELECT 1')), 1)
  t.equal(statementCount(tokenize('SELECT 1;;  ')), 1)
  t.equal(statementCount(tokenize('SELECT 1; SELECT 2')), 2)
  t.equal(statementCount(tokenize("SELECT ';' , $x$;$x$, E'\\';', \"a;b\" -- ;\n /* ; /* ; */ ; */")), 1, 'semicolons inside strings, identifiers and comments')
  t.equal(statementCount(tokenize("SELECT 'it''s'; DROP TABLE x")), 2)
  t.equal(statementCount(tokenize('')), 0)
  for (const bad of ["SELECT 'x", 'SELECT "x', 'SELECT /* x', 'SELECT $a$ x']) t.throws(() => tokenize(bad), { name: 'SqlLexError' }, bad)
})

t.test('function calls', async (t) => {
  t.same(calls('SELECT count(*), upper(a), pg_catalog.lower(b), "pg_sleep"(1) FROM t'), ['count', 'upper', 'pg_catalog.lower', 'pg_sleep'])
  t.same(calls('SELECT x FROM (VALUES (1)) AS v(x) JOIN t u(y) ON true WHERE x IN (1) AND EXISTS (SELECT 1)'), [], 'alias column lists, VALUES, IN, EXISTS')
  t.same(calls('SELECT CAST(a AS varchar(5)), a::numeric(10, 2), b::character varying(3), COALESCE(a, 1), EXTRACT(year FROM d), SUBSTRING(s FROM 1)'), [], 'types and SQL-syntax expressions')
  t.same(calls('WITH q(a) AS (SELECT 1) SELECT sum(a) OVER (PARTITION BY a) FILTER (WHERE a > 0) FROM q'), ['sum'])
  t.same(calls("SELECT 'pg_sleep(1)', $$ pg_sleep(1) $$ -- pg_sleep(1)"), [], 'names in strings and comments')
  t.same(calls('SELECT a FROM t WHERE b = lo_import (1)'), ['lo_import'], 'space before the parenthesis')
})

t.test('allow-list', async (t) => {
  t.ok(functionAllowed(null, 'upper'))
  t.ok(functionAllowed('pg_catalog', 'count'))
  t.notOk(functionAllowed('public', 'upper'), 'another schema')
  for (const f of ['pg_sleep', 'pg_read_file', 'pg_ls_dir', 'lo_import', 'current_setting', 'set_config', 'query_to_xml', 'dblink', 'txid_current', 'pg_terminate_backend', 'version']) t.notOk(functionAllowed(null, f), f)
})

t.test('plan walk', async (t) => {
  const plan = [
    {
      Plan: {
        'Node Type': 'Nested Loop',
        Output: ['upper(a.x)', "pg_sleep('1'::double precision)"],
        Plans: [
          { 'Node Type': 'Seq Scan', 'Relation Name': 'res-1', Schema: 'datastore', Alias: 'a', Output: ['a.x'], Filter: "(a.x ~~ 'q%'::text)" },
          { 'Node Type': 'Function Scan', 'Function Name': 'generate_series', Schema: 'pg_catalog', Alias: 'g', 'Function Call': 'generate_series(1, 3)' },
        ],
      },
    },
  ]
  const use = planUse(plan)
  t.same(use.relations, [{ schema: 'datastore', name: 'res-1' }])
  t.same(use.functions.map((f) => f.name).sort(), ['generate_series', 'generate_series', 'pg_sleep', 'upper'])
})

t.test('array text', async (t) => {
  t.same(parseArray('{a,"b c","d\\"e",NULL,"NULL"}'), ['a', 'b c', 'd"e', null, 'NULL'])
  t.same(parseArray('{}'), [])
  t.same(parseArray('[0:1]={1,2}'), ['1', '2'])
  t.same(parseArray('{{1,2},{3,4}}'), ['{1,2}', '{3,4}'])
})
