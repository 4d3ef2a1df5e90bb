/**
 * Turns a request as a user writes it (curl's URL, `-H`, `-u`) into what the proxies see: method, `:authority`,
 * `:path` and headers. Input the request itself makes impossible throws {@link SimulationInputError}.
 */
import { isIPv6 } from 'net';
import { clipped, findControlCharacter, isSecretHeader, maskBareUrl, maskCredential, maskHeaderValue, quote } from '../rules/display';
import { showValue } from '../rules/finding';
import { SentRequest, SimulationRequest } from './types';

/** Bad input (a malformed URL, header or client): the CLI prints the message on one line and exits 2. */
export class SimulationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationInputError';
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The parts of a request URL the simulator reads. */
export interface ParsedUrl {
  readonly scheme: string;
  /** Lower case, without brackets (and without the zone) for IPv6. */
  readonly host: string;
  readonly port: number;
  /** Whether the URL named the port (curl then puts it in the Host header unless it is the default). */
  readonly explicitPort: boolean;
  /** Path and query as curl sends them (dot segments removed, `/` when empty). */
  readonly path: string;
  /** `user:password` from the URL, if any. */
  readonly userinfo?: string;
  /** The zone of an IPv6 link-local literal (`eth0` of `[fe80::1%25eth0]`), if any. */
  readonly zone?: string;
}


const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };
// RFC 6874: a zone is unreserved characters or percent-encodings, after "%25" (curl also takes a bare "%")
const ZONE = /^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+$/;

/** Parses a curl-style URL; no scheme means `http`, as in curl. */
export function parseUrl(url: string): ParsedUrl {
  // the URL is echoed with its password masked and its control characters escaped
  const bad = (what: string, fix: string) => new SimulationInputError(`URL: ${what} (got ${typeof url === 'string' ? clipped(quote(maskBareUrl(url))) : showValue(url)}); ${fix}`);
  if (typeof url !== 'string' || url === '') throw bad('is required', 'pass a URL such as http://productpage:9080/productpage');
  if (findControlCharacter(url) !== undefined) throw bad('contains a control character', 'percent-encode it, or remove it');
  if (/\s/.test(url)) throw bad('contains white space', 'percent-encode spaces (%20)');
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#]*)([^#]*)/.exec(url)!;
  const scheme = (m[1] ?? 'http').toLowerCase();
  if (!(scheme in DEFAULT_PORTS)) throw bad(`scheme ${quote(scheme)} is not http or https`, 'use http://');
  let authority = m[2];
  let userinfo: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    try {
      userinfo = decodeURIComponent(authority.slice(0, at));
    } catch {
      throw bad('has a malformed percent-encoding in its user part', 'percent-encode "%" as %25');
    }
    authority = authority.slice(at + 1);
  }
  let host: string;
  let zone: string | undefined;
  let portText: string | undefined;
  const literal = authority.startsWith('[');
  if (literal) {
    const close = authority.indexOf(']');
    const after = close < 0 ? '' : authority.slice(close + 1);
    if (close < 0 || (after !== '' && !after.startsWith(':'))) throw bad('has an IPv6 literal without its closing "]"', 'write it as http://[fe80::1]:8080/');
    const inside = authority.slice(1, close);
    portText = after === '' ? undefined : after.slice(1);
    const pct = inside.indexOf('%');
    const address = pct < 0 ? inside : inside.slice(0, pct);
    if (/^v/i.test(inside)) throw bad(`host ${quote(`[${inside}]`)} is an IPvFuture literal, which the simulator does not read`, 'address the Service by name');
    if (!isIPv6(address)) throw bad(`host ${quote(`[${inside}]`)} is not an IPv6 address`, 'write an IPv6 literal as [fe80::1], or the Service name');
    if (pct >= 0) {
      const z = inside.slice(pct + 1).replace(/^25/, '');
      if (z === '' || !ZONE.test(z)) throw bad(`IPv6 zone ${quote(inside.slice(pct))} is empty or malformed`, 'write the zone as %25<interface>, e.g. [fe80::1%25eth0]');
      try {
        zone = decodeURIComponent(z);
      } catch {
        throw bad(`IPv6 zone ${quote(inside.slice(pct))} is malformed`, 'write the zone as %25<interface>');
      }
    }
    host = address;
  } else {
    if (authority.indexOf(':') !== authority.lastIndexOf(':')) throw bad(`host ${quote(authority)} looks like an IPv6 address without brackets`, 'write an IPv6 literal in brackets, e.g. http://[fe80::1]:8080/');
    const colon = authority.lastIndexOf(':');
    host = colon >= 0 ? authority.slice(0, colon) : authority;
    portText = colon >= 0 ? authority.slice(colon + 1) : undefined;
  }
  if (host === '') throw bad('has no host', 'write http://<service>[.<namespace>][:port]/path');
  if (!literal && !/^[A-Za-z0-9.-]+$/.test(host)) throw bad(`host ${quote(host)} is not a DNS name`, 'write a Service name, <service>.<namespace> or a FQDN');
  let port = DEFAULT_PORTS[scheme];
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw bad(`port ${quote(portText)} is not a number from 1 to 65535`, 'write the Service port, e.g. :9080');
    }
    port = Number(portText);
  }
  const explicitPort = portText !== undefined && portText !== '';
  const rawPath = m[3] === '' ? '/' : m[3];
  if (!rawPath.startsWith('/') && !rawPath.startsWith('?')) throw bad('path must start with "/"', 'write the path after the host, e.g. /productpage');
  const q = rawPath.indexOf('?');
  const pathPart = q >= 0 ? rawPath.slice(0, q) : rawPath;
  const query = q >= 0 ? rawPath.slice(q) : '';
  return {
    scheme, host: host.toLowerCase(), port, explicitPort, path: removeDotSegments(pathPart === '' ? '/' : pathPart) + query, userinfo,
    ...(zone !== undefined ? { zone } : {}),
  };
}

/** RFC 3986 5.2.4, which curl applies to the path before sending it (unless --path-as-is). */
export function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s === '.' || s === '..') {
      if (s === '..' && out.length > 1) out.pop();
      if (i === segments.length - 1) out.push('');
      continue;
    }
    out.push(s);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

/**
 * Parses a curl `-H` argument. `Name: value` sends the value with surrounding blanks trimmed (as the proxy's
 * HTTP/1 codec also does); `Name:` with nothing after it drops the header; `Name;` sends it empty.
 */
export function parseHeader(text: string): { name: string; value: string | undefined } {
  const semi = /^([^:;\s]+);$/.exec(text);
  if (semi && TOKEN.test(semi[1])) return { name: semi[1], value: '' };
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon) : '';
  if (colon <= 0 || !TOKEN.test(name)) {
    throw new SimulationInputError(`header: must be "Name: value" with a token name (got ${clipped(quote(maskHeaderText(text)))}); write e.g. -H "Authorization: Basic b2s6dGVzdA=="`);
  }
  const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  checkHeaderValue(name, value);
  return { name, value: value === '' ? undefined : value };
}

/** A malformed `-H` argument as it may be shown: after a credential header's name, nothing. */
export function maskHeaderText(text: string): string {
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*[:\s]\s*(.*)$/s.exec(text);
  return m && isSecretHeader(m[1]) ? `${m[1]}: ${maskHeaderValue(m[1], m[2])}` : text;
}

/**
 * A header value may hold visible characters, spaces and tabs (RFC 9110 5.5): a CR or LF would end the
 * header on the wire, and in the trace it could forge a line, so control characters are refused.
 */
function checkHeaderValue(name: string, value: string): void {
  const c = findControlCharacter(value, { allowTab: true });
  if (c !== undefined) {
    // cut as findings cut values: a batch file's header may be megabytes long
    const shown = isSecretHeader(name) ? '' : ` (got ${showValue(value)})`;
    throw new SimulationInputError(`header ${name}: value holds the control character ${quote(c)}${shown}; a header value is one line of visible characters, spaces and tabs`);
  }
}

/** The Authorization header curl's `-u user:password` sends. */
export function basicAuthHeader(userPassword: string): string {
  if (!userPassword.includes(':')) {
    // without a ":" the whole value may be the password: never shown
    throw new SimulationInputError(`user: must be "user:password" (got ${quote(maskCredential(userPassword))}, with no ":"); curl would prompt for the password, the simulator cannot`);
  }
  return `Basic ${Buffer.from(userPassword, 'utf8').toString('base64')}`;
}

/** A method token, case kept (the basic_auth module compares methods case-sensitively). */
export function checkMethod(method: string): string {
  if (!TOKEN.test(method)) {
    throw new SimulationInputError(`method: must be an HTTP method token (got ${typeof method === 'string' ? clipped(quote(method)) : showValue(method)}); e.g. -X POST`);
  }
  return method;
}

/** A client reference: `<namespace>/<name>` or `<namespace>/<kind>/<name>` (kind as kubectl spells it). */
export interface ClientRef {
  readonly namespace: string;
  readonly kind?: string;
  readonly name: string;
}

/** Parses `from`; the kind, when given, is checked by the simulator against the kinds it knows. */
export function parseClientRef(from: unknown): ClientRef {
  const parts = typeof from === 'string' ? from.split('/') : [];
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => p === '') || (typeof from === 'string' && findControlCharacter(from) !== undefined)) {
    throw new SimulationInputError(`from: must be <namespace>/<workload> or <namespace>/<kind>/<name> without control characters (got ${typeof from === 'string' ? quote(from) : showValue(from)}); e.g. default/curl`);
  }
  return parts.length === 2 ? { namespace: parts[0], name: parts[1] } : { namespace: parts[0], kind: parts[1], name: parts[2] };
}

/** The header list as a request gives it, in order. */
export function headerPairs(headers: SimulationRequest['headers']): Array<[string, string]> {
  if (!headers) return [];
  const pairs: Array<[string, string]> = Array.isArray(headers)
    ? (headers as ReadonlyArray<readonly [string, string]>).map(([n, v]) => [n, v])
    : Object.entries(headers as Record<string, string>);
  for (const [n, v] of pairs) {
    if (typeof n !== 'string' || !TOKEN.test(n)) {
      throw new SimulationInputError(`header: name must be a token (got ${typeof n === 'string' ? quote(n) : showValue(n)}); e.g. Authorization`);
    }
    if (typeof v !== 'string') {
      throw new SimulationInputError(`header ${n}: value must be a string (got ${isSecretHeader(n) ? quote(maskCredential(v)) : showValue(v)}); quote it in YAML`);
    }
    checkHeaderValue(n, v);
  }
  return pairs;
}

/** The first value of a header (names case-insensitive), as a proxy-wasm module reads it. */
export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  const hit = headers.find(([n]) => n.toLowerCase() === lower);
  return hit?.[1];
}

/** The host part of an authority, without a trailing `:port` (IPv6 brackets kept), as the basic_auth module strips it. */
export function authorityHost(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return authority;
  const v6end = authority.lastIndexOf(']');
  return v6end < 0 || v6end < colon ? authority.slice(0, colon) : authority;
}

/** One curl `--connect-to` entry: `HOST1:PORT1:HOST2:PORT2`, where an empty part matches any (1) or keeps the URL's (2). */
export interface ConnectTo {
  readonly fromHost?: string;
  readonly fromPort?: number;
  readonly toHost?: string;
  readonly toPort?: number;
}

/** Parses a curl `--connect-to` value. */
export function parseConnectTo(text: string): ConnectTo {
  const bad = () => new SimulationInputError(`connect-to: must be HOST1:PORT1:HOST2:PORT2, parts may be empty (got ${JSON.stringify(text)}); e.g. --connect-to shop.example.com:443:web-istio.shop:443`);
  if (typeof text !== 'string') throw bad();
  const parts = text.split(':');
  if (parts.length !== 4) throw bad();
  const port = (p: string) => {
    if (p === '') return undefined;
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw bad();
    return Number(p);
  };
  const host = (h: string) => {
    if (h === '') return undefined;
    if (!/^[A-Za-z0-9.-]+$/.test(h)) throw bad();
    return h.toLowerCase();
  };
  return { fromHost: host(parts[0]), fromPort: port(parts[1]), toHost: host(parts[2]), toPort: port(parts[3]) };
}

/** Where curl connects for `url`: the first `--connect-to` entry that applies, else the URL's host and port. */
export function connectTarget(url: ParsedUrl, entries: readonly string[] | undefined): { host: string; port: number; via?: string } {
  for (const e of entries ?? []) {
    const c = parseConnectTo(e);
    if ((c.fromHost === undefined || c.fromHost === url.host) && (c.fromPort === undefined || c.fromPort === url.port)) {
      return { host: c.toHost ?? url.host, port: c.toPort ?? url.port, via: e };
    }
  }
  return { host: url.host, port: url.port };
}

/** What goes on the wire for a request: curl's Host header, the Authorization from the URL's user part, the path. */
export function toSent(req: SimulationRequest): { sent: SentRequest; url: ParsedUrl } {
  const url = parseUrl(req.url);
  const method = checkMethod(req.method ?? 'GET');
  const given = headerPairs(req.headers);
  const headers: Array<[string, string]> = [];
  const hostShown = url.host.includes(':') ? `[${url.host}]` : url.host;
  const defaultAuthority = url.explicitPort && url.port !== DEFAULT_PORTS[url.scheme] ? `${hostShown}:${url.port}` : hostShown;
  if (headerValue(given, 'host') === undefined) headers.push(['Host', defaultAuthority]);
  if (url.userinfo !== undefined && headerValue(given, 'authorization') === undefined) {
    headers.push(['Authorization', basicAuthHeader(url.userinfo.includes(':') ? url.userinfo : `${url.userinfo}:`)]);
  }
  headers.push(...given);
  const authority = headerValue(headers, 'host') ?? defaultAuthority;
  for (const c of req.connectTo ?? []) parseConnectTo(c);
  return { sent: { from: req.from, method, url: req.url, authority, path: url.path, headers }, url };
}
