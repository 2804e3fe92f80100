import dns from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Which addresses server-side fetches (harvesting) may connect to. A URL given by an editor must
 * not reach the server's own network: loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast, reserved and every IPv6 form of them (mapped,
 * NAT64, 6to4, Teredo, unique-local). The check is made on the address a connection actually
 * uses: the agents below resolve names through `guardedLookup`, so a name cannot resolve to a
 * public address when checked and a private one when connected (DNS rebinding), and every
 * redirect hop is a new connection through the same agents.
 *
 * FETCH_ALLOW_PRIVATE lists what may be reached anyway: host names (exact, whatever they resolve
 * to), addresses and CIDR ranges, or `*` for everything (development only).
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6

export interface OutboundPolicy {
  /** `*`: no address is refused */
  allowAll: boolean
  /** host names, lower case, reachable whatever they resolve to */
  hosts: ReadonlySet<string>
  /** addresses and ranges reachable though not public */
  ranges: readonly [Address, number][]
  /** name resolution; dns.lookup unless a test points names at addresses of its own */
  resolve: typeof dns.lookup
}

/** A target the policy refuses; the message names the host as written, never what it resolved to. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS'
  constructor(readonly host: string) {
    super(`${host} is not a public address (FETCH_ALLOW_PRIVATE lists the hosts that may be reached)`)
  }
}

/** Splits FETCH_ALLOW_PRIVATE; throws with the offending entry when one is neither `*`, an address, a range nor a host name. */
export function parseAllowList(text: string): string[] {
  const entries = text
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/\.$/, ''))
    .filter((s) => s !== '')
  for (const e of entries) {
    if (e === '*' || ipaddr.isValid(e) || ipaddr.isValidCIDR(e)) continue
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(e)) throw new Error(`not a host name, address or CIDR range: ${JSON.stringify(e)}`)
  }
  return entries
}

export function outboundPolicy(allow: readonly string[], resolve: typeof dns.lookup = dns.lookup): OutboundPolicy {
  const hosts = new Set<string>()
  const ranges: [Address, number][] = []
  for (const e of allow) {
    if (e === '*') continue
    if (ipaddr.isValidCIDR(e)) ranges.push(ipaddr.parseCIDR(e))
    else if (ipaddr.isValid(e)) {
      const a = ipaddr.process(e)
      ranges.push([a, a.kind() === 'ipv4' ? 32 : 128])
    } else hosts.add(e)
  }
  return { allowAll: allow.includes('*'), hosts, ranges, resolve }
}

// only global unicast (2000::/3) is public IPv6; ipaddr.js calls unallocated space 'unicast' too
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')

/** A public unicast address: anything ipaddr.js classifies otherwise is refused. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is
  const a = ipaddr.process(address)
  if (a.range() !== 'unicast') return false
  return a.kind() === 'ipv4' || a.match(GLOBAL_UNICAST_V6)
}

function inRanges(policy: OutboundPolicy, address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  const a = ipaddr.process(address)
  return policy.ranges.some(([range, bits]) => range.kind() === a.kind() && a.match(range, bits))
}

/** May a connection go to `address` (resolved from `host`)? */
export function addressAllowed(policy: OutboundPolicy, host: string, address: string): boolean {
  return policy.allowAll || policy.hosts.has(normalHost(host)) || isPublicAddress(address) || inRanges(policy, address)
}

function normalHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '')
}

/**
 * Refuses a URL whose host is an address literal the policy does not allow. Needed besides the
 * lookup: Node connects to an IP literal without calling lookup at all.
 */
export function checkLiteralHost(policy: OutboundPolicy, url: URL): void {
  const host = normalHost(url.hostname)
  if (net.isIP(host) !== 0 && !addressAllowed(policy, host, host)) throw new BlockedAddressError(host)
}

/**
 * The host of `url` when it is refused without asking DNS: an address literal the policy does not
 * allow, or a `localhost` name (always loopback, RFC 6761). Null otherwise, unparsable URLs too.
 * For early feedback on input; the connection-time checks above are what protect.
 */
export function refusedHost(policy: OutboundPolicy, url: string): string | null {
  let host: string
  try {
    host = normalHost(new URL(url).hostname)
  } catch {
    return null
  }
  if (policy.allowAll || policy.hosts.has(host)) return null
  if (net.isIP(host) !== 0) return addressAllowed(policy, host, host) ? null : host
  return host === 'localhost' || host.endsWith('.localhost') ? (inRanges(policy, '127.0.0.1') ? null : host) : null
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/**
 * dns.lookup, keeping only the addresses the policy allows: the socket then connects to one of
 * them and nothing else. Answers with all or one address, as the caller asked.
 */
export function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    policy.resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '')
      const allowed = addresses.filter((a) => addressAllowed(policy, hostname, a.address))
      if (allowed.length === 0) return callback(new BlockedAddressError(hostname), '')
      if (options.all) callback(null, allowed)
      else callback(null, allowed[0].address, allowed[0].family)
    })
  }
}

export interface OutboundAgents {
  http: http.Agent
  https: https.Agent
}

const agents = new WeakMap<OutboundPolicy, OutboundAgents>()

/** The agents every outbound request of this policy goes through (one pair per policy). */
export function outboundAgents(policy: OutboundPolicy): OutboundAgents {
  let pair = agents.get(policy)
  if (!pair) {
    const lookup = guardedLookup(policy) as unknown as net.LookupFunction
    pair = { http: new http.Agent({ lookup }), https: new https.Agent({ lookup }) }
    agents.set(policy, pair)
  }
  return pair
}
