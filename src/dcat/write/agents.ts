/**
 * Agents and contact points (ckanext-dcat euro_dcat_ap_base: dct:publisher from the publisher_*
 * extras else the organization, dct:creator from creator_*, dcat:contactPoint from contact_* else
 * maintainer/author; access services carry the same as dicts).
 */
import n3 from 'n3'
import type { BlankNode, NamedNode, Quad_Subject } from 'n3'
import type { PackageDict } from '../../model/package-dict.js'
import { DCAT, DCT, FOAF, RDF, SKOS, VCARD } from '../namespaces.js'
import { extraValue, iri, type Graph, type Site } from './graph.js'
import { classNode, iriOrLiteral } from './nodes.js'
import { firstValue, isHttpIri } from './values.js'

const { blankNode } = n3.DataFactory

/** The keys ckanext-dcat uses for an agent (publisher_*, creator_*, and the dicts of an access service). */
export interface AgentFields {
  uri?: string
  name?: string
  email?: string
  url?: string
  type?: string
  identifier?: string
}

export interface ContactFields {
  uri?: string
  name?: string
  email?: string
  identifier?: string
  url?: string
}

function mailto(email: string): NamedNode {
  return iri(email.startsWith('mailto:') ? email : `mailto:${email}`)
}

/** A foaf:Agent; nothing when it has neither name nor IRI. */
export function addAgent(g: Graph, s: Quad_Subject, p: NamedNode, a: AgentFields): boolean {
  if (!a.name && !a.uri) return false
  const node = a.uri && isHttpIri(a.uri) ? iri(a.uri) : blankNode()
  g.add(s, p, node)
  g.add(node, RDF.type, FOAF.Agent)
  // foaf:name is mandatory for an agent
  g.text(node, FOAF.name, a.name || a.uri)
  if (a.email) g.add(node, FOAF.mbox, mailto(a.email))
  if (a.url && isHttpIri(a.url)) g.add(node, FOAF.homepage, iri(a.url))
  if (a.type) classNode(g, node, DCT.type, a.type, SKOS.Concept)
  if (a.identifier) iriOrLiteral(g, node, DCT.identifier, a.identifier)
  return true
}

/** A vCard contact point; nothing when it is empty. */
export function addContact(g: Graph, s: Quad_Subject, c: ContactFields): void {
  if (!c.uri && !c.name && !c.email) return
  const node: NamedNode | BlankNode = c.uri && isHttpIri(c.uri) ? iri(c.uri) : blankNode()
  g.add(s, DCAT.contactPoint, node)
  // vcard:Kind is the class the shapes check; Organization is what ckanext-dcat writes
  g.add(node, RDF.type, VCARD.Kind)
  g.add(node, RDF.type, VCARD.Organization)
  g.text(node, VCARD.fn, c.name)
  if (c.email) g.add(node, VCARD.hasEmail, mailto(c.email))
  if (c.identifier) iriOrLiteral(g, node, VCARD.hasUID, c.identifier)
  if (c.url && isHttpIri(c.url)) g.add(node, VCARD.hasURL, iri(c.url))
}

function agentExtras(dict: PackageDict, prefix: string): AgentFields {
  const out: AgentFields = {}
  for (const k of ['uri', 'name', 'email', 'url', 'type', 'identifier'] as const) out[k] = extraValue(dict, `${prefix}_${k}`)
  return out
}

export function addPublisher(g: Graph, ds: NamedNode, dict: PackageDict, site: Site): void {
  const org = dict.organization as { id: string; title?: string; name?: string } | null | undefined
  const fromExtras = agentExtras(dict, 'publisher')
  if (fromExtras.name || fromExtras.uri) {
    addAgent(g, ds, DCT.publisher, { ...fromExtras, name: fromExtras.name || org?.title || org?.name })
  } else if (org) {
    addAgent(g, ds, DCT.publisher, { uri: `${site.url}/organization/${org.id}`, name: org.title || org.name })
  }
}

export function addCreator(g: Graph, ds: NamedNode, dict: PackageDict): void {
  addAgent(g, ds, DCT.creator, agentExtras(dict, 'creator'))
}

export function addContactPoint(g: Graph, ds: NamedNode, dict: PackageDict): void {
  addContact(g, ds, {
    uri: extraValue(dict, 'contact_uri'),
    name: firstValue(dict, 'contact_name', 'maintainer', 'author'),
    email: firstValue(dict, 'contact_email', 'maintainer_email', 'author_email'),
    identifier: extraValue(dict, 'contact_identifier'),
    url: extraValue(dict, 'contact_url'),
  })
}
