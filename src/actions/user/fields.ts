/** The user fields of user_create/user_update as JSON Schema (for the OpenAPI document; validation is validate.ts's). */
export const USER_FIELDS = {
  name: { description: 'login name: 2-100 characters, lowercase letters, digits, - and _' },
  email: { description: 'required; one active account per address' },
  password: { description: '8 characters or more' },
  password_hash: { description: 'sysadmins only: a ready password hash (scrypt, or CKAN pbkdf2-sha512)' },
  fullname: {},
  about: { description: 'no links (http:// or https://)' },
  image_url: {},
  activity_streams_email_notifications: {},
  id: { description: 'sysadmins only: a UUID' },
  sysadmin: { description: 'sysadmins only' },
  state: { description: 'sysadmins only: active, pending or deleted' },
  plugin_extras: { description: 'sysadmins only: a JSON object' },
} as const
