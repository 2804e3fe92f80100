/**
 * Resource format normalisation (CKAN's `clean_format` / `unified_resource_format`): a value that
 * names a known format by its canonical name, description, mimetype or an alias becomes that
 * format's canonical name; anything else is kept unchanged. Plus mimetype guessing from a URL's
 * file extension (CKAN's default `ckan.mimetype_guess = file_ext`).
 */
interface Format {
  name: string
  title: string
  mimetype: string | null
  aliases: string[]
  extensions: string[]
}

const f = (name: string, title: string, mimetype: string | null, aliases: string[] = [], extensions: string[] = []): Format => ({ name, title, mimetype, aliases, extensions })

const FORMATS: Format[] = [
  f('CSV', 'Comma Separated Values File', 'text/csv', ['text/comma-separated-values'], ['csv']),
  f('TSV', 'Tab Separated Values File', 'text/tab-separated-values', ['text/tsv'], ['tsv']),
  f('XLS', 'MS Excel File', 'application/vnd.ms-excel', ['Excel', 'application/msexcel', 'application/x-msexcel', 'application/x-ms-excel', 'application/x-excel', 'application/x-dos_ms_excel', 'application/xls', 'application/x-xls'], ['xls']),
  f('XLSX', 'MS Excel File', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', [], ['xlsx']),
  f('ODS', 'OpenDocument Spreadsheet', 'application/vnd.oasis.opendocument.spreadsheet', [], ['ods']),
  f('JSON', 'JavaScript Object Notation', 'application/json', [], ['json']),
  f('GeoJSON', 'Geographic JavaScript Object Notation', 'application/geo+json', ['geojson', 'application/vnd.geo+json'], ['geojson']),
  f('JSON-LD', 'JSON for Linking Data', 'application/ld+json', ['jsonld'], ['jsonld']),
  f('XML', 'Extensible Markup Language', 'application/xml', ['text/xml'], ['xml']),
  f('RDF', 'Resource Description Framework', 'application/rdf+xml', ['rdf/xml'], ['rdf']),
  f('TTL', 'Turtle', 'text/turtle', ['turtle'], ['ttl']),
  f('N3', 'Notation3', 'text/n3', [], ['n3']),
  f('HTML', 'Web Page', 'text/html', ['htm', 'web page', 'website'], ['html', 'htm']),
  f('TXT', 'Text File', 'text/plain', ['text', 'plain text'], ['txt']),
  f('PDF', 'Portable Document Format', 'application/pdf', [], ['pdf']),
  f('DOC', 'Word Document', 'application/msword', [], ['doc']),
  f('DOCX', 'Word OOXML - Office Open XML', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', [], ['docx']),
  f('ODT', 'OpenDocument Text', 'application/vnd.oasis.opendocument.text', [], ['odt']),
  f('PPT', 'Powerpoint Presentation', 'application/vnd.ms-powerpoint', [], ['ppt']),
  f('PPTX', 'Powerpoint OOXML Presentation', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', [], ['pptx']),
  f('ZIP', 'Zip File', 'application/zip', ['zip file', 'application/x-zip', 'application/x-zip-compressed'], ['zip']),
  f('GZ', 'Gzip File', 'application/gzip', ['gzip', 'application/x-gzip'], ['gz']),
  f('TAR', 'TAR Compressed File', 'application/x-tar', [], ['tar']),
  f('7Z', '7z File', 'application/x-7z-compressed', [], ['7z']),
  f('RAR', 'RAR Compressed File', 'application/vnd.rar', ['application/x-rar-compressed'], ['rar']),
  f('SHP', 'Shapefile', null, ['esri shapefile', 'shapefile'], ['shp']),
  f('KML', 'Keyhole Markup Language', 'application/vnd.google-earth.kml+xml', [], ['kml']),
  f('KMZ', 'KML Compressed File', 'application/vnd.google-earth.kmz', ['application/vnd.google-earth.kmz+xml'], ['kmz']),
  f('GPX', 'GPS eXchange Format', 'application/gpx+xml', [], ['gpx']),
  f('WMS', 'Web Mapping Service', 'application/vnd.ogc.wms_xml', ['wms'], []),
  f('WFS', 'Web Feature Service', null, ['wfs'], []),
  f('WMTS', 'Web Map Tile Service', null, ['wmts'], []),
  f('ArcGIS GeoServices REST API', 'ArcGIS GeoServices REST API', null, ['esri rest', 'arcgis rest'], []),
  f('GeoTIFF', 'Geo Tagged Image File Format', 'image/tiff', ['geotiff', 'tif'], ['tif', 'tiff']),
  f('PNG', 'PNG Image File', 'image/png', [], ['png']),
  f('JPEG', 'JPG Image File', 'image/jpeg', ['jpg'], ['jpg', 'jpeg']),
  f('GIF', 'GIF Image File', 'image/gif', [], ['gif']),
  f('SVG', 'Scalable Vector Graphics', 'image/svg+xml', [], ['svg']),
  f('SQL', 'Structured Query Language', 'application/sql', [], ['sql']),
  f('SPARQL', 'SPARQL endpoint', 'application/sparql-results+xml', [], []),
  f('API', 'Application Programming Interface', null, [], []),
  f('MDB', 'Access Database', 'application/x-msaccess', [], ['mdb']),
  f('DBF', 'dBASE Table', 'application/x-dbf', [], ['dbf']),
  f('PARQUET', 'Apache Parquet', 'application/vnd.apache.parquet', [], ['parquet']),
  f('ICS', 'iCalendar', 'text/calendar', ['ical'], ['ics']),
  f('RSS', 'RSS feed', 'application/rss+xml', [], ['rss']),
  f('Atom Feed', 'Atom Feed', 'application/atom+xml', ['atom'], ['atom']),
  f('MP3', 'MPEG Audio', 'audio/mpeg', [], ['mp3']),
  f('MP4', 'MPEG-4 Video', 'video/mp4', [], ['mp4']),
]

const byKey = new Map<string, Format>()
for (const fmt of FORMATS) {
  for (const key of [fmt.name, fmt.title, fmt.mimetype, ...fmt.aliases]) {
    if (key && !byKey.has(key.toLowerCase())) byKey.set(key.toLowerCase(), fmt)
  }
}
const byExtension = new Map<string, Format>()
for (const fmt of FORMATS) for (const ext of fmt.extensions) if (!byExtension.has(ext)) byExtension.set(ext, fmt)

/** The canonical format name for a known format, else the value unchanged. */
export function cleanFormat(value: string): string {
  return byKey.get(value.trim().toLowerCase())?.name ?? value
}

function extensionOf(url: string): string | null {
  let pathPart = url
  try {
    const u = new URL(url)
    if (u.pathname === '' || u.pathname === '/') return null
    pathPart = u.pathname
  } catch {
    pathPart = url.split(/[?#]/)[0]
  }
  const last = pathPart.split('/').pop() ?? ''
  const dot = last.lastIndexOf('.')
  return dot > 0 ? last.slice(dot + 1).toLowerCase() : null
}

/** Format guessed from a URL's file extension (only for new resources with an empty format). */
export function guessFormat(url: string): string | null {
  const ext = extensionOf(url)
  return ext ? (byExtension.get(ext)?.name ?? null) : null
}

/** Mimetype guessed from a URL's file extension, or null. */
export function guessMimetype(url: string): string | null {
  const ext = extensionOf(url)
  return ext ? (byExtension.get(ext)?.mimetype ?? null) : null
}
