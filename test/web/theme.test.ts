import t from 'tap'
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { testApp } from '../helpers/app.js'

const HTML = { accept: 'text/html' }

t.test('a theme folder and config restyle the portal without forking it', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-theme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(path.join(dir, 'locales'))
  mkdirSync(path.join(dir, 'static'))
  mkdirSync(path.join(dir, 'templates'))
  // one key overridden: the rest of the catalogue stays the built-in one
  writeFileSync(path.join(dir, 'locales', 'es.json'), JSON.stringify({ home: { recent: 'Novedades del Ecuador' } }))
  writeFileSync(path.join(dir, 'static', 'escudo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
  writeFileSync(path.join(dir, 'templates', 'error.njk'), '{% extends "base.njk" %}{% block content %}<h1>Tema: {{ status }}</h1>{% endblock %}')

  const h = await testApp(t, { THEME_DIR: dir, SITE_TITLE: 'Datos Abiertos Ecuador', SITE_LOGO: '/assets/escudo.svg', SITE_INTRO: 'Portal de prueba <b>sin HTML</b>', THEME_COLOR: '#005a32' })
  const home = await h.app.inject({ url: '/', headers: HTML })
  t.equal(home.statusCode, 200)
  t.match(home.body, /<title>Datos Abiertos Ecuador<\/title>/)
  t.match(home.body, /Novedades del Ecuador/, "the theme's catalogue overrides a key")
  t.match(home.body, /Conjuntos de datos/, 'keys the theme leaves out keep the built-in text')
  t.match(home.body, /<img src="\/assets\/escudo.svg"/)
  t.match(home.body, /Portal de prueba &lt;b&gt;sin HTML&lt;\/b&gt;/, 'the intro text is escaped')
  const logo = await h.app.inject({ url: '/assets/escudo.svg' })
  t.equal(logo.statusCode, 200, "the theme's static folder is served")
  const builtin = await h.app.inject({ url: '/assets/abierto.css' })
  t.equal(builtin.statusCode, 200, 'built-in assets still served beside the theme')
  const css = await h.app.inject({ url: '/assets/theme.css' })
  t.match(css.body, /--brand: #005a32/)
  const missing = await h.app.inject({ url: '/nada', headers: HTML })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /<h1>Tema: 404<\/h1>/, "the theme's template replaces the built-in one")
  const status = await h.ok('status_show')
  t.equal(status.site_title, 'Datos Abiertos Ecuador')
})

t.test('SITE_LOCALE=en makes English the default', async (t) => {
  const h = await testApp(t, { SITE_LOCALE: 'en' })
  const home = await h.app.inject({ url: '/', headers: HTML })
  t.match(home.body, /<html lang="en">/)
  t.equal((await h.ok('status_show')).locale_default, 'en')
  const es = await h.app.inject({ url: '/', headers: { ...HTML, 'accept-language': 'es-EC,es;q=0.9' } })
  t.match(es.body, /<html lang="es">/, 'a visitor asking for Spanish still gets it')
})

t.test('theme settings are checked at start', async (t) => {
  const { loadConfig } = await import('../../src/config.js')
  t.throws(() => loadConfig({ THEME_COLOR: 'red' }), { message: /THEME_COLOR="red"/ }, 'a colour must be #rrggbb')
  t.throws(() => loadConfig({ SITE_LOCALE: 'fr' }), { message: /SITE_LOCALE/ })
  t.throws(() => loadConfig({ SITE_LOGO: 'javascript:alert(1)' }), { message: /SITE_LOGO/ }, 'a logo is an http(s) URL or a path')
  t.same(loadConfig({ SITE_LOGO: 'https://example.org/logo.png' }).theme.logo, 'https://example.org/logo.png')
})
