import type { Harvester, HarvesterInfo } from './harvester.js'
import { ckanHarvester } from './ckan/harvester.js'
import { dcatJsonHarvester, dcatRdfHarvester } from './dcat/harvester.js'

const HARVESTERS: readonly Harvester[] = [ckanHarvester, dcatRdfHarvester, dcatJsonHarvester]

/** The harvester of a source type. */
export function harvesterFor(type: string): Harvester | undefined {
  return HARVESTERS.find((h) => h.info.name === type)
}

/** Every registered harvester's info(), in registration order (harvesters_info_show, validation messages). */
export const HARVESTER_INFO: readonly HarvesterInfo[] = HARVESTERS.map((h) => h.info)
