/**
 * Functions datastore_search_sql lets a query call (ckan.datastore.sqlsearch.allowed_functions
 * in CKAN): computations on the values a query reads, nothing that reads files, settings, other
 * databases or the catalog, sleeps, or runs SQL of its own (query_to_xml, dblink...). Postgres'
 * own pg_catalog functions only; names as Postgres folds them (lower case).
 */

const GROUPS: Record<string, string> = {
  aggregate:
    'array_agg avg bit_and bit_or bit_xor bool_and bool_or count every max min string_agg sum json_agg jsonb_agg json_object_agg jsonb_object_agg xmlagg ' +
    'corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy stddev stddev_pop stddev_samp variance var_pop var_samp ' +
    'mode percentile_cont percentile_disc any_value grouping',
  window: 'row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value',
  math:
    'abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi pow power radians random round scale sign sqrt trim_scale trunc width_bucket ' +
    'acos acosd asin asind atan atand atan2 atan2d cos cosd cot cotd sin sind tan tand sinh cosh tanh asinh acosh atanh',
  text:
    'ascii bit_length btrim char_length character_length chr concat concat_ws convert_from convert_to decode encode format initcap left length lower lpad ltrim md5 ' +
    'normalize octet_length overlay parse_ident position quote_ident quote_literal quote_nullable regexp_count regexp_instr regexp_like regexp_match regexp_matches ' +
    'regexp_replace regexp_split_to_array regexp_split_to_table regexp_substr repeat replace reverse right rpad rtrim split_part starts_with string_to_array ' +
    'string_to_table strpos substr substring to_ascii to_hex translate trim unistr upper sha224 sha256 sha384 sha512',
  format: 'to_char to_date to_number to_timestamp',
  time:
    'age clock_timestamp date_bin date_part date_trunc extract isfinite justify_days justify_hours justify_interval localtime localtimestamp make_date make_interval ' +
    'make_time make_timestamp make_timestamptz now statement_timestamp timeofday transaction_timestamp current_date current_time current_timestamp date_add date_subtract',
  json:
    'to_json to_jsonb array_to_json row_to_json json_build_array jsonb_build_array json_build_object jsonb_build_object json_object jsonb_object ' +
    'json_array_length jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text json_extract_path jsonb_extract_path json_extract_path_text ' +
    'jsonb_extract_path_text json_object_keys jsonb_object_keys json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text ' +
    'json_typeof jsonb_typeof json_strip_nulls jsonb_strip_nulls jsonb_set jsonb_set_lax jsonb_insert jsonb_pretty jsonb_path_exists jsonb_path_match jsonb_path_query ' +
    'jsonb_path_query_array jsonb_path_query_first json_populate_record jsonb_populate_record json_populate_recordset jsonb_populate_recordset json_to_record ' +
    'jsonb_to_record json_to_recordset jsonb_to_recordset',
  array:
    'array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position array_positions array_prepend array_remove array_replace ' +
    'array_sample array_shuffle array_to_string array_upper cardinality trim_array unnest generate_series generate_subscripts',
  textsearch:
    'to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline setweight strip numnode querytree ' + 'tsvector_to_array array_to_tsvector ts_delete ts_filter length get_current_ts_config',
  conditional: 'coalesce nullif greatest least num_nulls num_nonnulls',
  range: 'lower_inc upper_inc lower_inf upper_inf isempty range_merge int4range int8range numrange tsrange tstzrange daterange multirange',
  geometry: 'area center diameter height width isclosed isopen npoints pclose popen radius point box circle line lseg path polygon',
  network: 'abbrev broadcast family host hostmask inet_merge inet_same_family masklen netmask network set_masklen',
  xml: 'xmlcomment xmlconcat xmlelement xmlforest xmlpi xmlroot xpath xpath_exists',
}

export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set(Object.values(GROUPS).flatMap((g) => g.split(/\s+/).filter(Boolean)))

/** May a query call this function (`schema`: as written, or as the plan shows it)? */
export function functionAllowed(schema: string | null, name: string): boolean {
  if (schema !== null && schema !== 'pg_catalog') return false
  return ALLOWED_FUNCTIONS.has(name)
}
