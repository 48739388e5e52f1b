import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may point (SSRF). An endpoint's URL is https (http too
 * outside production), carries no credentials, and its host must not be —
 * or resolve to — a private, loopback, link-local or otherwise special
 * address, unless the host is listed in WEBHOOK_ALLOW_PRIVATE_HOSTS (refused
 * at boot in production). Checked when an endpoint is registered or changed,
 * and again on every delivery attempt, at connection time: the delivery
 * client resolves the name through `guardedLookup`, which refuses a private
 * answer and hands the connection the very address it checked, so a DNS
 * answer that changes between the check and the connection (rebinding)
 * changes nothing. Redirects are never followed (a 3xx is a failed attempt),
 * so no second, unchecked address is ever reached.
 */

/**
 * The ranges refused, IPv4 and IPv6 (IANA special-purpose registries, plus
 * the IPv6 forms that embed an IPv4 address). One list per family: a
 * BlockList matches IPv4 addresses against its IPv6 rules too (as mapped
 * addresses), and ::ffff:0:0/96 would then refuse every IPv4 address.
 */
const SPECIAL_V4 = new BlockList();
const SPECIAL_V6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  SPECIAL_V4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo among them)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds any IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  SPECIAL_V6.addSubnet(net, prefix, 'ipv6');
}

/** Is this IP address one a webhook must not reach? (Anything that is not an IP address counts as one.) */
export function isSpecialAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? SPECIAL_V4.check(address, 'ipv4') : SPECIAL_V6.check(address, 'ipv6');
}

/** A URL host without the brackets of an IPv6 literal. */
const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/** Is the URL's host (or host:port) in the allow-list (entries lower case, as the configuration keeps them)? */
export function isAllowedPrivateHost(url: URL, allow: readonly string[]): boolean {
  if (!allow.length) return false;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allow.includes(host) || allow.includes(`${host}:${port}`);
}

export class UnsafeWebhookUrl extends Error {
  constructor(
    readonly code: 'invalid-url' | 'https-required' | 'credentials-in-url' | 'private-address' | 'unresolvable-host',
    message: string,
  ) {
    super(message);
    this.name = 'UnsafeWebhookUrl';
  }
}

/** The URL as an endpoint may have it (its syntax only: the address is checked by `checkAddress`). */
export function parseWebhookUrl(raw: string, production: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeWebhookUrl('invalid-url', 'The URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !production)) {
    throw new UnsafeWebhookUrl('https-required', production ? 'A webhook URL must be https.' : 'A webhook URL must be https (or http outside production).');
  }
  if (url.username || url.password) throw new UnsafeWebhookUrl('credentials-in-url', 'A webhook URL must not carry a user name or password.');
  if (!url.hostname) throw new UnsafeWebhookUrl('invalid-url', 'The URL has no host.');
  url.hash = '';
  return url;
}

type LookupOne = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
type LookupAll = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** Resolves a host name to every address it has (both families). */
function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/** The addresses of `hostname`, refused (UnsafeWebhookUrl) when it has none or any of them is special. */
async function checkedAddresses(hostname: string): Promise<LookupAddress[]> {
  const host = bare(hostname);
  if (isIP(host)) {
    if (isSpecialAddress(host)) throw new UnsafeWebhookUrl('private-address', `${host} is a private, loopback or link-local address.`);
    return [{ address: host, family: isIP(host) }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch {
    throw new UnsafeWebhookUrl('unresolvable-host', `${host} does not resolve.`);
  }
  if (!addresses.length) throw new UnsafeWebhookUrl('unresolvable-host', `${host} does not resolve.`);
  // Any special answer refuses the host: a name that also resolves inside is not one to call.
  const inside = addresses.find((a) => isSpecialAddress(a.address));
  if (inside) throw new UnsafeWebhookUrl('private-address', `${host} resolves to a private, loopback or link-local address (${inside.address}).`);
  return addresses;
}

/** Registration's check: the URL's host resolves to public addresses only (or is allowed). */
export async function checkAddress(url: URL, allow: readonly string[]): Promise<void> {
  if (isAllowedPrivateHost(url, allow)) return;
  await checkedAddresses(url.hostname);
}

/**
 * The `lookup` of the delivery client's connection to `url` (node:http's
 * option): resolves, refuses a special address (unless the host is
 * allowed), and answers with the addresses it checked — the connection goes
 * to one of those and nowhere else.
 */
export function guardedLookup(url: URL, allow: readonly string[]) {
  const allowed = isAllowedPrivateHost(url, allow);
  return (hostname: string, options: { all?: boolean }, callback: LookupOne | LookupAll): void => {
    const found = allowed ? resolveAll(bare(hostname)) : checkedAddresses(hostname);
    found.then(
      (addresses) => (options.all ? (callback as LookupAll)(null, addresses) : (callback as LookupOne)(null, addresses[0].address, addresses[0].family)),
      (err: Error) => (options.all ? (callback as LookupAll)(err, []) : (callback as LookupOne)(err, '', 0)),
    );
  };
}

/** An IP-literal URL is connected to without a lookup: checked here instead (unless allowed). */
export function checkLiteral(url: URL, allow: readonly string[]): void {
  const host = bare(url.hostname);
  if (isIP(host) && !isAllowedPrivateHost(url, allow) && isSpecialAddress(host)) throw new UnsafeWebhookUrl('private-address', `${host} is a private, loopback or link-local address.`);
}
