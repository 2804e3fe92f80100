import t from 'tap'
import { markdownText, renderMarkdown } from '../../src/web/markdown.js'

t.test('Markdown renders to HTML', async (t) => {
  t.equal(renderMarkdown('Datos de **población** por _provincia_.'), '<p>Datos de <strong>población</strong> por <em>provincia</em>.</p>')
  t.match(renderMarkdown('- uno\n- dos'), /<ul>\s*<li>uno<\/li>\s*<li>dos<\/li>\s*<\/ul>/)
  t.equal(renderMarkdown('[INEC](https://www.ecuadorencifras.gob.ec/)'), '<p><a href="https://www.ecuadorencifras.gob.ec/" rel="nofollow noopener">INEC</a></p>')
  t.equal(renderMarkdown('Véase https://example.org/datos'), '<p>Véase <a href="https://example.org/datos" rel="nofollow noopener">https://example.org/datos</a></p>', 'bare URLs become links')
  t.match(renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |'), /<table>\s*<thead>\s*<tr>\s*<th>a<\/th>/)
  t.equal(renderMarkdown('`x < y`'), '<p><code>x &lt; y</code></p>')
  t.equal(renderMarkdown(''), '')
  t.equal(renderMarkdown(null), '')
  t.equal(renderMarkdown('   \n '), '')
})

t.test('HTML in notes (harvested portals write it) keeps its allowed tags', async (t) => {
  t.equal(renderMarkdown('<p>Uno<br>dos</p>'), '<p>Uno<br />dos</p>')
  t.equal(renderMarkdown('<p class="x" style="color:red" id="content">texto</p>'), '<p>texto</p>', 'class, style and id are dropped (id could clash with the page)')
  t.equal(renderMarkdown('<div><span>hola</span></div>'), 'hola', 'unknown tags go, their text stays')
})

t.test('XSS vectors are neutralised', async (t) => {
  const vectors: Array<[string, RegExp]> = [
    ['<script>alert(1)</script>texto', /script|alert/i],
    ['<img src=x onerror="alert(1)">', /onerror|alert/i],
    ['<img src="javascript:alert(1)">', /javascript|<img/i],
    // markdown-it refuses these links outright and leaves the source as escaped text
    ['![x](data:image/svg+xml;base64,PHN2Zz4=)', /<img|src=/i],
    ['[clic](javascript:alert(1))', /<a|href=/i],
    ['<a href="JaVaScRiPt:alert(1)">x</a>', /javascript/i],
    ['<a href="  javascript:alert(1)">x</a>', /javascript/i],
    ['<a href="&#106;avascript:alert(1)">x</a>', /javascript|&#106;/i],
    ['<a href="vbscript:msgbox(1)">x</a>', /vbscript/i],
    ['<a href="data:text/html,<script>alert(1)</script>">x</a>', /data:|script/i],
    ['<a href="//evil.example/">x</a>', /evil/i],
    ['<svg onload="alert(1)"><circle /></svg>', /svg|onload|alert/i],
    ['<iframe src="https://evil.example"></iframe>', /iframe|evil/i],
    ['<object data="x.swf"></object><embed src="x.swf">', /object|embed|swf/i],
    ['<form action="https://evil.example"><input name="p"></form>', /form|input|evil/i],
    ['<style>body{display:none}</style>texto', /style|display/i],
    ['<p style="background:url(javascript:alert(1))">x</p>', /style|javascript/i],
    ['<math><mi xlink:href="javascript:alert(1)">x</mi></math>', /math|javascript/i],
    ['<a href="https://ok.example" onclick="alert(1)" target="_blank">x</a>', /onclick|target|alert/i],
    ['<<script>script>alert(1)<</script>/script>', /<script|<\/script/i],
    ['<base href="https://evil.example/">', /base|evil/i],
    ['<meta http-equiv="refresh" content="0;url=https://evil.example">', /meta|refresh|evil/i],
    ['<link rel="stylesheet" href="https://evil.example/x.css">', /<link|evil/i],
    ['<table background="javascript:alert(1)"><tr><td>x</td></tr></table>', /background|javascript/i],
  ]
  for (const [input, forbidden] of vectors) {
    const out = renderMarkdown(input)
    t.notMatch(out, forbidden, `${input} → ${out}`)
  }
  t.equal(renderMarkdown('<script>alert(1)</script>texto'), 'texto', 'a script is dropped with its content')
  t.equal(renderMarkdown('<img src=x onerror="alert(1)">'), '<img src="x" alt="" />', 'the handler goes; a relative image source stays')
  t.equal(renderMarkdown('<a href="https://ok.example" onclick="alert(1)">x</a>'), '<p><a href="https://ok.example" rel="nofollow noopener">x</a></p>', 'the link itself stays, without the handler')
  t.equal(renderMarkdown('<a href="https://ok.example" rel="opener">x</a>'), '<p><a href="https://ok.example" rel="nofollow noopener">x</a></p>', 'a rel given in the notes is replaced')
  t.equal(renderMarkdown('![Mapa](https://example.org/mapa.png)'), '<p><img src="https://example.org/mapa.png" alt="Mapa" /></p>', 'https images stay')
  t.equal(renderMarkdown('<img src="https://example.org/a.png">'), '<img src="https://example.org/a.png" alt="" />', 'an image without alt gets an empty one (decorative)')
  t.equal(renderMarkdown('[mail](mailto:datos@example.org)'), '<p><a href="mailto:datos@example.org" rel="nofollow noopener">mail</a></p>')
  t.equal(renderMarkdown('[página](/dataset?tags=salud)'), '<p><a href="/dataset?tags=salud" rel="nofollow noopener">página</a></p>', 'relative links stay')
})

t.test('headings follow the page outline', async (t) => {
  t.equal(renderMarkdown('# Uno\n\n## Dos\n\n#### Cuatro\n\n# Otro'), '<h2>Uno</h2>\n<h3>Dos</h3>\n<h4>Cuatro</h4>\n<h2>Otro</h2>', 'h1 becomes h2, no level is skipped')
  t.equal(renderMarkdown('### Tres\n\n#### Cuatro', { headingLevel: 3 }), '<h3>Tres</h3>\n<h4>Cuatro</h4>', 'the top heading written becomes the given level')
  t.equal(renderMarkdown('<h1>HTML</h1><h5>cinco</h5>'), '<h2>HTML</h2><h3>cinco</h3>')
  t.equal(renderMarkdown('###### a\n\n###### b', { headingLevel: 6 }), '<h6>a</h6>\n<h6>b</h6>')
})

t.test('plain text for meta descriptions', async (t) => {
  t.equal(markdownText('# Título\n\nDatos de **población** & <b>vivienda</b> <script>alert(1)</script>\n\n- a < b'), 'Título Datos de población & vivienda a < b')
  t.equal(markdownText('Caf&eacute; &#233; &#xe9;'), 'Café é é', 'entities are decoded (the template escapes the text again)')
  t.equal(markdownText('<p>Uno<br>dos</p><p>tres</p>'), 'Uno dos tres', 'line and paragraph breaks separate words')
  t.equal(markdownText(undefined), '')
  // one-line text that needs no Markdown pass, and text that looks plain but is not
  t.equal(markdownText('Datos del censo 2022: https://example.org/censo.'), 'Datos del censo 2022: https://example.org/censo.')
  t.equal(markdownText('  Dos   espacios\ty tab  '), 'Dos espacios y tab')
  t.equal(markdownText('1. uno'), 'uno', 'an ordered list marker goes')
  t.equal(markdownText('# Título'), 'Título')
  t.equal(markdownText('- punto'), 'punto')
  t.equal(markdownText('> cita'), 'cita')
  t.equal(markdownText('a &amp; b'), 'a & b')
})

t.test('repeated sources come from the cache, edited ones are rendered anew', async (t) => {
  const first = renderMarkdown('**uno**')
  t.equal(renderMarkdown('**uno**'), first)
  t.equal(renderMarkdown('**dos**'), '<p><strong>dos</strong></p>')
  t.equal(renderMarkdown('# uno', { headingLevel: 3 }), '<h3>uno</h3>', 'the heading level is part of the key')
  t.equal(renderMarkdown('# uno', { headingLevel: 2 }), '<h2>uno</h2>')
  t.equal(markdownText('**uno**'), 'uno')
  t.equal(markdownText('**uno**'), 'uno')
})
