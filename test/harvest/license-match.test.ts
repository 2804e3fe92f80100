import t from 'tap'
import { licenseIdForUrl } from '../../src/dcat/read/license-match.js'

t.test('licence pages catalogs cite map to register ids', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['http://www.opendefinition.org/licenses/cc-by', 'cc-by'],
    ['https://creativecommons.org/licenses/by/4.0/', 'cc-by'],
    ['https://creativecommons.org/licenses/by/4.0/legalcode.es', 'cc-by'],
    ['http://creativecommons.org/licenses/by-sa/3.0/deed.es', 'cc-by-sa'],
    ['https://creativecommons.org/licenses/by-nc-sa/4.0/', 'cc-nc'],
    ['https://creativecommons.org/publicdomain/zero/1.0/', 'cc-zero'],
    ['http://opendatacommons.org/licenses/odbl/1-0/', 'odc-odbl'],
    ['https://opendatacommons.org/licenses/pddl/', 'odc-pddl'],
    ['http://publications.europa.eu/resource/authority/licence/CC_BY_4_0', 'cc-by'],
    ['http://publications.europa.eu/resource/authority/licence/CC0', 'cc-zero'],
    ['http://publications.europa.eu/resource/authority/licence/ODC_BL', 'odc-odbl'],
    ['https://creativecommons.org/licenses/by-nd/4.0/', undefined],
    ['https://example.org/licencia', undefined],
    ['', undefined],
  ]
  for (const [url, id] of cases) t.equal(licenseIdForUrl(url), id, url || '(empty)')
})
