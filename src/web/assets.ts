import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Templates, message catalogues and static files are read at run time from the source tree
 * (`src/web/…`), which sits three levels above the compiled `dist/src/web`: tsc copies no
 * non-TypeScript files, and one copy of them is simpler than a build step that duplicates it.
 */
const SOURCE_WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/web')

export const BUILTIN = {
  templates: path.join(SOURCE_WEB, 'templates'),
  locales: path.join(SOURCE_WEB, 'locales'),
  static: path.join(SOURCE_WEB, 'static'),
}

/** The folders searched in order: a theme's own first, so it overrides any file by name. */
export function assetDirs(themeDir: string | null): { templates: string[]; locales: string[]; static: string[] } {
  const theme = themeDir ? [themeDir] : []
  return {
    templates: [...theme.map((d) => path.join(d, 'templates')), BUILTIN.templates],
    locales: [...theme.map((d) => path.join(d, 'locales')), BUILTIN.locales],
    static: [...theme.map((d) => path.join(d, 'static')), BUILTIN.static],
  }
}
