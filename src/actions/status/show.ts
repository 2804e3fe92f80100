import { sql } from 'kysely'
import { defineAction } from '../define.js'

/** The CKAN version we answer as: clients branch on it (e.g. ckanapi, harvesters). */
export const CKAN_VERSION = '2.11.5'

export default defineAction({
  name: 'status_show',
  description: 'Return a dictionary with information about the site configuration: site_title, site_description, site_url, locale_default, extensions and ckan_version.',
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: {} },
  auth: 'public',
  handler: async (ctx) => {
    // monitors poll status_show: it answers 503 while the database cannot be reached
    await sql`SELECT 1`.execute(ctx.db)
    return {
      site_title: ctx.config.siteTitle,
      site_description: ctx.config.siteDescription,
      site_url: ctx.config.siteUrl,
      error_emails_to: null,
      locale_default: ctx.config.siteLocale,
      extensions: [],
      ckan_version: CKAN_VERSION,
    }
  },
})
