import type { Harvester } from '../harvester.js'
import { ckanHarvester } from './ckan.js'
import { dcatJsonHarvester, dcatRdfHarvester } from './dcat.js'

const HARVESTERS: readonly Harvester[] = [ckanHarvester, dcatRdfHarvester, dcatJsonHarvester]

/** The harvester of a source type (config.ts lists the same names with their info). */
export function harvesterFor(type: string): Harvester | undefined {
  return HARVESTERS.find((h) => h.type === type)
}
