/** CKAN's default license register (ckan/model/license.py), in its order. */
export interface License {
  id: string
  title: string
  url: string
  od_conformance: 'approved' | 'not reviewed'
  osd_conformance: 'approved' | 'not reviewed'
  domain_content: boolean
  domain_data: boolean
  domain_software: boolean
  is_generic: boolean
}

const od = (id: string) => `http://www.opendefinition.org/licenses/${id}`

function lic(id: string, title: string, url: string, open: boolean, domains: [boolean, boolean, boolean], generic = false): License {
  return { id, title, url, od_conformance: open ? 'approved' : 'not reviewed', osd_conformance: 'not reviewed', domain_content: domains[0], domain_data: domains[1], domain_software: domains[2], is_generic: generic }
}

export const LICENSES: readonly License[] = [
  lic('notspecified', 'License not specified', '', false, [false, false, false], true),
  lic('odc-pddl', 'Open Data Commons Public Domain Dedication and License (PDDL)', od('odc-pddl'), true, [false, true, false]),
  lic('odc-odbl', 'Open Data Commons Open Database License (ODbL)', od('odc-odbl'), true, [false, true, false]),
  lic('odc-by', 'Open Data Commons Attribution License', od('odc-by'), true, [false, true, false]),
  lic('cc-zero', 'Creative Commons CCZero', od('cc-zero'), true, [true, true, false]),
  lic('cc-by', 'Creative Commons Attribution', od('cc-by'), true, [true, false, false]),
  lic('cc-by-sa', 'Creative Commons Attribution Share-Alike', od('cc-by-sa'), true, [true, false, false]),
  lic('gfdl', 'GNU Free Documentation License', od('gfdl'), true, [true, false, false]),
  lic('other-open', 'Other (Open)', '', true, [true, false, false], true),
  lic('other-pd', 'Other (Public Domain)', '', true, [true, false, false], true),
  lic('other-at', 'Other (Attribution)', '', true, [true, false, false], true),
  lic('uk-ogl', 'UK Open Government Licence (OGL)', 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/', true, [true, false, false]),
  lic('cc-nc', 'Creative Commons Non-Commercial (Any)', 'http://creativecommons.org/licenses/by-nc/2.0/', false, [true, false, false]),
  lic('other-nc', 'Other (Non-Commercial)', '', false, [true, false, false], true),
  lic('other-closed', 'Other (Not Open)', '', false, [true, false, false], true),
]

const byId = new Map(LICENSES.map((l) => [l.id, l]))

export function findLicense(id: string | null | undefined): License | undefined {
  return id ? byId.get(id) : undefined
}

export function isOpen(l: License): boolean {
  return l.od_conformance === 'approved' || l.osd_conformance === 'approved'
}

/** license_list's item: every value a string, booleans as "True"/"False", as CKAN's copy() renders them. */
export function licenseListItem(l: License): Record<string, string> {
  const b = (v: boolean) => (v ? 'True' : 'False')
  return {
    domain_content: b(l.domain_content),
    domain_data: b(l.domain_data),
    domain_software: b(l.domain_software),
    family: '',
    id: l.id,
    is_generic: b(l.is_generic),
    maintainer: '',
    od_conformance: l.od_conformance,
    osd_conformance: l.osd_conformance,
    status: 'active',
    title: l.title,
    url: l.url,
  }
}
