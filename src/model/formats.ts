/**
 * Resource format normalisation, as CKAN's `clean_format` (`unified_resource_format`): a value
 * that equals, ignoring case only, a known format's name, description, mimetype or one of its
 * alternative names becomes that format's name; anything else is kept exactly as given. The keys
 * are those of CKAN 2.11's default format list (ckan/config/resource_formats.json), no more:
 * "plain text" or "TTL" are kept as typed. Plus format and mimetype guessing from a URL's file
 * extension (CKAN's default `ckan.mimetype_guess = file_ext`).
 */
interface Format {
  name: string
  description: string
  mimetype: string | null
  aliases: string[]
}

const f = (name: string, description: string, mimetype: string | null, aliases: string[] = []): Format => ({ name, description, mimetype, aliases })

const FORMATS: Format[] = [
  f('ArcGIS Map Preview', 'ArcGIS Map Preview', 'ArcGIS Map Preview', ['arcgis map preview']),
  f('ArcGIS Map Service', 'ArcGIS Map Service', 'ArcGIS Map Service', ['arcgis map service']),
  f('ArcGIS Online Map', 'ArcGIS Online Map', 'ArcGIS Online Map', ['web map application']),
  f('Atom Feed', 'Atom Feed', 'application/atom+xml'),
  f('BIN', 'Binary Data', 'application/octet-stream', ['bin']),
  f('BMP', 'Bitmap Image File', 'image/x-ms-bmp'),
  f('CSV', 'Comma Separated Values File', 'text/csv', ['text/comma-separated-values']),
  f('DCR', 'Adobe Shockwave format', 'application/x-director'),
  f('dBase', 'dBase Database', 'application/x-dbf', ['dbf']),
  f('DOC', 'Word Document', 'application/msword'),
  f('DOCM', 'Word OOXML - Macro Enabled', 'application/vnd.ms-word.document.macroEnabled.12'),
  f('DOCX', 'Word OOXML Document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
  f('DOTM', 'Word OOXML Template - Macro Enabled', 'application/vnd.ms-word.template.macroEnabled.12'),
  f('DOTX', 'Word OOXML - Template', 'application/vnd.openxmlformats-officedocument.wordprocessingml.template'),
  f('Esri REST', 'Esri Rest API Endpoint', 'Esri REST', ['arcgis_rest']),
  f('EXE', 'Windows Executable Program', 'application/x-msdownload'),
  f('E00', ' ARC/INFO interchange file format', 'application/x-e00'),
  f('GeoJSON', 'Geographic JavaScript Object Notation', 'application/geo+json', ['geojson']),
  f('GIF', 'GIF Image File', 'image/gif'),
  f('GTFS', 'General Transit Feed Specification', null),
  f('GZ', 'Gzip File', 'application/gzip', ['application/x-gzip']),
  f('HTML', 'Web Page', 'text/html', ['htm', 'http://purl.org/net/mediatypes/text/html']),
  f('ICS', 'iCalendar', 'text/calendar', ['ifb', 'iCal']),
  f('JPEG', 'JPG Image File', 'image/jpeg', ['jpeg', 'jpg']),
  f('JS', 'JavaScript', 'application/x-javascript'),
  f('JSON', 'JavaScript Object Notation', 'application/json'),
  f('KML', 'KML File', 'application/vnd.google-earth.kml+xml'),
  f('KMZ', 'KMZ File', 'application/vnd.google-earth.kmz+xml', ['application/vnd.google-earth.kmz']),
  f('MDB', 'Access Database', 'application/x-msaccess'),
  f('MOP', 'MOPAC Input format', 'chemical/x-mopac-input'),
  f('MP3', 'MPEG-1 Audio Layer-3', 'audio/mpeg', ['audio/mpeg3', 'audio/x-mpeg-3', 'video/mpeg', 'video/x-mpeg']),
  f('MP4', 'MPEG Video File', 'video/mp4', ['application/mp4']),
  f('MrSID', 'MrSID', 'image/x-mrsid'),
  f('MXD', 'ESRI ArcGIS project file', 'application/x-mxd'),
  f('NetCDF', 'NetCDF File', 'application/netcdf'),
  f('N3', 'N3 Triples', 'application/x-n3'),
  f('OGG', 'Ogg Vorbis Audio File', 'audio/ogg'),
  f('ODB', 'OpenDocument Database', 'application/vnd.oasis.opendocument.database'),
  f('ODC', 'OpenDocument Chart', 'application/vnd.oasis.opendocument.chart'),
  f('ODF', 'OpenDocument Math Formula', 'application/vnd.oasis.opendocument.formula'),
  f('ODG', 'OpenDocument Image', 'application/vnd.oasis.opendocument.graphics'),
  f('OWL', 'Web Ontology Language', 'application/owl+xml'),
  f('ODP', 'OpenDocument Presentation', 'application/vnd.oasis.opendocument.presentation'),
  f('ODS', 'OpenDocument Spreadsheet', 'application/vnd.oasis.opendocument.spreadsheet'),
  f('ODT', 'OpenDocument Text', 'application/vnd.oasis.opendocument.text'),
  f('PDF', 'PDF File', 'application/pdf'),
  f('Perl', 'Perl Script', 'text/x-perl'),
  f('PNG', 'PNG Image File', 'image/png'),
  f('POTM', 'PowerPoint Open XML -\u00a0Macro-Enabled Template', 'application/vnd.ms-powerpoint.template.macroEnabled.12'),
  f('POTX', 'PowerPoint OOXML Presentation - Template', 'application/vnd.openxmlformats-officedocument.presentationml.template'),
  f('PPAM', 'PowerPoint Open XML -\u00a0Macro-Enabled Add-In', 'application/vnd.ms-powerpoint.addin.macroEnabled.12'),
  f('PPT', 'Powerpoint Presentation', 'application/vnd.ms-powerpoint'),
  f('PPTM', 'PowerPoint Open XML -\u00a0Macro-Enabled', 'application/vnd.ms-powerpoint.presentation.macroEnabled.12'),
  f('PPTX', 'Powerpoint OOXML Presentation', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'),
  f('PPSM', 'PowerPoint Open XML -\u00a0Macro-Enabled Slide Show', 'application/vnd.ms-powerpoint.slideshow.macroEnabled.12'),
  f('PPSX', 'PowerPoint Open XML - Slide Show', 'application/vnd.openxmlformats-officedocument.presentationml.slideshow'),
  f('QGIS', 'QGIS File', 'application/x-qgis'),
  f('RAR', 'RAR Compressed File', 'application/rar'),
  f('RDF', 'RDF', 'application/rdf+xml', ['rdf/xml']),
  f('RSS', 'RSS feed', 'application/rss+xml'),
  f('SHP', 'Shapefile', null, ['esri shapefile']),
  f('SPARQL', 'SPARQL end-point', 'application/sparql-results+xml'),
  f('SVG', 'SVG vector image', 'image/svg+xml', ['svg']),
  f('TAR', 'TAR Compressed File', 'application/x-tar'),
  f('TIFF', 'TIFF Image File', 'image/tiff'),
  f('TORRENT', 'Torrent', 'application/x-bittorrent', ['bittorrent']),
  f('TSV', 'Tab Separated Values File', 'text/tab-separated-values', ['text/tsv']),
  f('TXT', 'Text File', 'text/plain'),
  f('WAV', 'Wave file', 'audio/x-wav', ['audio/wav']),
  f('WCS', 'Web Coverage Service', 'wcs'),
  f('WebM', 'WEBM video', 'video/webm'),
  f('WFS', 'Web Feature Service', null),
  f('WMS', 'Web Mapping Service', 'WMS', ['wms']),
  f('WMTS', 'Web Map Tile Service', null),
  f('XLAM', 'Excel OOXML Spreadsheet - Macro-Enabled Add-In', 'application/vnd.ms-excel.addin.macroEnabled.12'),
  f('XLS', 'Excel Document', 'application/vnd.ms-excel', ['Excel', 'application/msexcel', 'application/x-msexcel', 'application/x-ms-excel', 'application/x-excel', 'application/x-dos_ms_excel', 'application/xls', 'application/x-xls']),
  f('XLSB', 'Excel OOXML Spreadsheet - Binary Workbook', 'application/vnd.ms-excel.sheet.binary.macroEnabled.12'),
  f('XLSM', 'Excel OOXML Spreadsheet - Macro-Enabled', 'application/vnd.ms-excel.sheet.macroEnabled.12'),
  f('XLSX', 'Excel OOXML Spreadsheet', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  f('XLTM', 'Excel OOXML Spreadsheet - Macro-Enabled Template', 'application/vnd.ms-excel.template.macroEnabled.12'),
  f('XLTX', 'Excel OOXML Spreadsheet - Template', 'application/vnd.openxmlformats-officedocument.spreadsheetml.template'),
  f('XML', 'XML File', 'application/xml', ['text/xml', 'http://purl.org/net/mediatypes/application/xml']),
  f('XSLT', 'Extensible Stylesheet Language Transformations', 'application/xslt+xml'),
  f('XYZ', 'XYZ Chemical File', 'chemical/x-xyz'),
  f('ZIP', 'Zip File', 'application/zip', ['zip', 'http://purl.org/NET/mediatypes/application/zip']),
]

const byKey = new Map<string, Format>()
for (const fmt of FORMATS) {
  for (const key of [fmt.mimetype, fmt.name, fmt.description, ...fmt.aliases]) {
    if (key) byKey.set(key.toLowerCase(), fmt)
  }
}

/** File extension → mimetype, for guessing (the common ones Python's mimetypes knows, plus open data's own). */
const EXTENSION_MIMETYPES: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  json: 'application/json',
  geojson: 'application/geo+json',
  jsonld: 'application/ld+json',
  rdf: 'application/rdf+xml',
  ttl: 'text/turtle',
  n3: 'text/n3',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odt: 'application/vnd.oasis.opendocument.text',
  odp: 'application/vnd.oasis.opendocument.presentation',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  rar: 'application/rar',
  kml: 'application/vnd.google-earth.kml+xml',
  kmz: 'application/vnd.google-earth.kmz',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/x-ms-bmp',
  svg: 'image/svg+xml',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mdb: 'application/x-msaccess',
  dbf: 'application/x-dbf',
  nc: 'application/netcdf',
  js: 'application/x-javascript',
  ics: 'text/calendar',
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/x-wav',
  webm: 'video/webm',
  parquet: 'application/vnd.apache.parquet',
}

/** The canonical format name for a known format, else the value unchanged (case-insensitive, nothing trimmed: CKAN's lower()). */
export function cleanFormat(value: string): string {
  return byKey.get(value.toLowerCase())?.name ?? value
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

/**
 * Format guessed from a URL's file extension (only for new resources with an empty format): the
 * known format of the extension's mimetype. CKAN would store an unknown mimetype itself as the
 * format; a guess that is not a format name is left out instead.
 */
export function guessFormat(url: string): string | null {
  const mimetype = guessMimetype(url)
  return mimetype ? (byKey.get(mimetype)?.name ?? null) : null
}

/** Mimetype guessed from a URL's file extension, or null. */
export function guessMimetype(url: string): string | null {
  const ext = extensionOf(url)
  return ext ? (Object.hasOwn(EXTENSION_MIMETYPES, ext) ? EXTENSION_MIMETYPES[ext] : null) : null
}
