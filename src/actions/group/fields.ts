/**
 * The writable fields of an organization/group, as documented params. They carry no JSON Schema
 * type on purpose: model/group-validate.ts checks them with CKAN's own messages (a name given as a
 * number is converted, not refused; a bad list is CKAN's Integrity Error).
 */
export const GROUP_FIELDS = {
  name: { description: 'unique name: 2-100 characters, lowercase ascii letters, digits, - and _' },
  title: { description: 'display title (default "")' },
  description: { description: 'description (default "")' },
  image_url: { description: 'image URL, or the file name of an uploaded image' },
  type: { description: 'custom type; cannot change after creation' },
  state: { description: "'active' or 'deleted' (sysadmins only)" },
  approval_status: { description: "default 'approved'" },
  extras: { description: 'list of {key, value} (a `deleted` key removes that extra); omitted on update: kept' },
  users: { description: 'list of {name (id or name), capacity}; on update, users not listed lose their membership' },
  groups: { description: 'list of {name, capacity}: the groups this one belongs to; replaced on update' },
  packages: { description: 'groups only: list of {id (id or name)} datasets; on update replaces the list when given' },
} as const
