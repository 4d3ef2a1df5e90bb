/**
 * What an ingress gateway does with one request, after its plugins ran: the virtual host its Host picks, the route
 * rule that matches (in the order Envoy tries them), and what the rule's filters do. Which routes attach where,
 * what istiod programs of them and how rules order come from the model (`model/route-attachment.ts`,
 * `model/route-rules.ts`); this file applies them to a request.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { pickDomain } from '../model/hostnames';
import { GatewayListener } from '../model/listeners';
import { VirtualHostRoute, resolveParentRefs, routesNaming, virtualHosts } from '../model/route-attachment';
import {
  BackendResolution, ProgrammedRule, RouteMatch, ValueMatch, compareSpecificity, describeMatch, isCatchAll, re2FullMatch, routeProgram, tieBreak,
} from '../model/route-rules';
import { authorityHost } from './request';

/** What the gateway needs to know about the request. */
export interface RouteRequest {
  readonly method: string;
  readonly authority: string;
  /** With its query string. */
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface RouteDecision {
  readonly outcome: 'matched' | 'miss' | 'answered' | 'unknown';
  readonly detail: string;
  readonly route?: Entry;
  readonly rule?: ProgrammedRule;
  /** A status the gateway answers itself (404 no route, 3xx redirect, 500 no backend). */
  readonly status?: number;
  readonly location?: string;
  readonly backends: BackendResolution[];
  /** The request as the backend receives it, after URLRewrite and RequestHeaderModifier filters. */
  readonly forwarded: RouteRequest;
  readonly notes: string[];
}

function splitPath(path: string): { path: string; query: string } {
  const q = path.indexOf('?');
  return q < 0 ? { path, query: '' } : { path: path.slice(0, q), query: path.slice(q + 1) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The first value of a query parameter (Envoy's query matcher reads the first). */
function queryValue(query: string, name: string): string | undefined {
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const n = eq < 0 ? part : part.slice(0, eq);
    if (safeDecode(n) === name) return safeDecode(eq < 0 ? '' : part.slice(eq + 1));
  }
  return undefined;
}

/** Every value of a header joined with `,`, as Envoy's header matcher compares repeated headers; undefined if absent. */
function joinedHeader(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  const vals = headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  return vals.length === 0 ? undefined : vals.join(',');
}

function fullMatch(pattern: string, value: string, notes: string[]): boolean {
  const m = re2FullMatch(pattern, value);
  if (m === undefined) {
    notes.push(`regular expression ${JSON.stringify(pattern)} is not valid RE2 (Envoy's regex engine), so it matched nothing here; Envoy would refuse the route configuration`);
    return false;
  }
  return m;
}

/** Gateway API PathPrefix (Envoy's path_separated_prefix): whole segments, a trailing "/" in the value ignored. */
export function prefixMatches(value: string, path: string): boolean {
  const v = value.replace(/\/+$/, '');
  return v === '' || path === v || path.startsWith(`${v}/`);
}

function valueOk(m: ValueMatch, got: string | undefined, notes: string[]): boolean {
  if (got === undefined) return false;
  return m.type === 'RegularExpression' ? fullMatch(m.value, got, notes) : got === m.value;
}

/** Whether a programmed match matches the request. */
export function matchesRequest(m: RouteMatch, req: RouteRequest, notes: string[]): boolean {
  const { path, query } = splitPath(req.path);
  if (m.path.type === 'Exact' && path !== m.path.value) return false;
  if (m.path.type === 'PathPrefix' && !prefixMatches(m.path.value, path)) return false;
  if (m.path.type === 'RegularExpression' && !fullMatch(m.path.value, path, notes)) return false;
  if (m.method !== undefined && m.method !== req.method) return false;
  for (const h of m.headers) if (!valueOk(h, joinedHeader(req.headers, h.name), notes)) return false;
  for (const q of m.queryParams) if (!valueOk(q, queryValue(query, q.name), notes)) return false;
  return true;
}

interface Candidate {
  readonly rule: ProgrammedRule;
  readonly vh: VirtualHostRoute;
}

/** Why routes naming this gateway do not serve the request's host (for the 404 reason). */
function missReasons(model: MeshModel, gw: Entry, listeners: GatewayListener[]): string[] {
  const out: string[] = [];
  for (const route of routesNaming(model, gw)) {
    const refs = resolveParentRefs(model, route).filter((p) => p.gateway === gw);
    const here = refs.flatMap((p) => p.listeners.filter((a) => listeners.includes(a.listener)));
    if (here.length > 0 && here.every((a) => a.verdict === 'no')) {
      out.push(`${route.kind} ${route.namespace}/${route.name}: ${[...new Set(here.map((a) => a.why))].join('; ')}`);
    }
  }
  return out;
}

/**
 * Picks the route rule for `req` on `listeners` of `gw` (plain-HTTP listeners of one port together, or the one
 * HTTPS listener SNI chose). `scheme` and `port` are the request's, for redirects.
 */
export function matchRoute(model: MeshModel, gw: Entry, listeners: GatewayListener[], req: RouteRequest, scheme: string, port: number): RouteDecision {
  const notes: string[] = [];
  const host = authorityHost(req.authority).toLowerCase();
  const vhosts = virtualHosts(model, gw, listeners);
  const names = listeners.map((l) => l.name).join(', ');
  const miss = (why: string): RouteDecision => ({ outcome: 'miss', status: 404, detail: `no route: ${why}`, backends: [], forwarded: req, notes });
  const domain = pickDomain(vhosts.keys(), host);
  if (domain === undefined) {
    if (routesNaming(model, gw).length === 0) return miss(`no HTTPRoute names Gateway ${gw.namespace}/${gw.name}`);
    const reasons = missReasons(model, gw, listeners);
    const served = [...vhosts.keys()].sort();
    return miss(`no route on listener ${names} serves host ${JSON.stringify(host)}${served.length ? ` (hosts served: ${served.join(', ')})` : ''}${reasons.length ? `; ${reasons.join('; ')}` : ''}`);
  }
  const entries = vhosts.get(domain)!;
  const candidates: Candidate[] = [];
  for (const vh of entries) {
    const program = routeProgram(model, vh.route);
    if (program.dropped) {
      notes.push(`${vh.route.kind} ${vh.route.namespace}/${vh.route.name} is not programmed: ${program.dropped.field}: ${program.dropped.why}`);
      continue;
    }
    for (const rule of program.rules) if (matchesRequest(rule.match, req, notes)) candidates.push({ rule, vh });
  }
  if (candidates.some((c) => c.rule.match.path.type === 'RegularExpression')) {
    notes.push('a RegularExpression path match ranks after every Exact and PathPrefix match but before a catch-all "/" (istiod sortHTTPRoutes, Envoy catch-all last)');
  }
  if (candidates.length === 0) {
    const routes = [...new Set(entries.map((e) => `${e.route.kind} ${e.route.namespace}/${e.route.name}`))];
    return miss(`no rule of ${routes.join(', ')}${domain === '*' ? '' : ` (host ${domain})`} matches ${req.method} ${splitPath(req.path).path}`);
  }
  // Envoy moves catch-all routes after all others; rules of different VirtualServices are not sorted together
  const nonCatchAll = candidates.filter((c) => !isCatchAll(c.rule.match));
  const pool = nonCatchAll.length > 0 ? nonCatchAll : candidates;
  const order = (a: Candidate, b: Candidate) => compareSpecificity(a.rule.match, b.rule.match) || tieBreak(a.rule, b.rule).order;
  const keys = [...new Set(pool.map((c) => c.vh.mergeKey))];
  // each VirtualService's first rule; one rule reached through two route hostnames is still one rule
  const firsts = keys.map((k) => pool.filter((c) => c.vh.mergeKey === k).sort(order)[0]);
  if (new Set(firsts.map((c) => c.rule)).size > 1) {
    const each = firsts.map((c) => `${c.rule.where} (hostname ${c.vh.vsHost})`);
    return { outcome: 'unknown', detail: `rules from routes with different hostnames for host ${domain} match: ${each.join(', ')}; istiod gives each hostname its own VirtualService and does not order rules across them by the Gateway API precedence, so which one runs is not decided here`, backends: [], forwarded: req, notes };
  }
  pool.sort(order);
  const win = pool[0];
  for (const other of pool.slice(1)) {
    if (compareSpecificity(win.rule.match, other.rule.match) !== 0) break;
    const t = tieBreak(win.rule, other.rule);
    if (t.by === 'undecided') {
      return { outcome: 'unknown', detail: `${win.rule.where} and ${other.rule.where} match equally (${describeMatch(win.rule.match)}); the older route wins, and the manifests carry no creationTimestamp for both, so which one runs is not decided here`, backends: [], forwarded: req, notes };
    }
    notes.push(`${win.rule.where} wins over ${other.rule.where} by ${t.by}`);
  }
  const uncertain = [win, ...pool.slice(1)].find((c) => c.vh.uncertain);
  if (uncertain && uncertain === win) {
    return { outcome: 'unknown', detail: `${win.rule.where} would match, but whether its route attaches is not decided: ${win.vh.uncertain}`, backends: [], forwarded: req, notes };
  }
  const where = `${win.rule.where} (${describeMatch(win.rule.match)})`;
  return applyRule(win.rule, where, req, notes, scheme, port);
}

function applyHeaderModifier(headers: ReadonlyArray<readonly [string, string]>, m: any): Array<[string, string]> {
  let out = headers.map(([n, v]) => [n, v] as [string, string]);
  const drop = (name: string) => { out = out.filter(([n]) => n.toLowerCase() !== name.toLowerCase()); };
  // istiod keeps the first of several entries with one name ("subsequent entries MUST be ignored")
  const firsts = (list: any) => {
    const seen = new Set<string>();
    return (Array.isArray(list) ? list : []).filter((h: any) => {
      const k = String(h?.name ?? '').toLowerCase();
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  for (const h of firsts(m?.set)) { drop(String(h.name)); out.push([String(h.name), String(h.value ?? '')]); }
  for (const h of firsts(m?.add)) out.push([String(h.name), String(h.value ?? '')]);
  for (const n of Array.isArray(m?.remove) ? m.remove : []) drop(String(n));
  return out;
}

/** The Location of a RequestRedirect (`createRedirectFilter`, `route.go` `ApplyRedirect`). */
export function redirectLocation(r: any, rule: ProgrammedRule, req: RouteRequest, scheme: string, port: number): string {
  const newScheme = typeof r.scheme === 'string' ? r.scheme : scheme;
  const host = typeof r.hostname === 'string' ? r.hostname : authorityHost(req.authority);
  // no port: the request's listener port when the scheme is kept, the new scheme's default when it changes
  let p: number | undefined = typeof r.port === 'number' ? r.port : (typeof r.scheme === 'string' ? undefined : port);
  if ((p === 80 && newScheme === 'http') || (p === 443 && newScheme === 'https')) p = undefined;
  const { path, query } = splitPath(req.path);
  let newPath = path;
  if (r.path?.type === 'ReplaceFullPath' && typeof r.path.replaceFullPath === 'string') newPath = r.path.replaceFullPath;
  if (r.path?.type === 'ReplacePrefixMatch' && typeof r.path.replacePrefixMatch === 'string' && rule.match.path.type === 'PathPrefix') {
    newPath = r.path.replacePrefixMatch + path.slice(rule.match.path.value === '/' ? 1 : rule.match.path.value.length);
  }
  return `${newScheme}://${host}${p !== undefined ? `:${p}` : ''}${newPath}${query ? `?${query}` : ''}`;
}

/** The path a URLRewrite gives (`createRewriteFilter`, `route.go` `applyHTTPRouteDestination`). */
export function rewritePath(u: any, rule: ProgrammedRule, path: string, notes: string[]): string {
  if (u.path?.type === 'ReplaceFullPath' && typeof u.path.replaceFullPath === 'string') return u.path.replaceFullPath;
  if (u.path?.type === 'ReplacePrefixMatch' && typeof u.path.replacePrefixMatch === 'string' && rule.match.path.type === 'PathPrefix') {
    const uri = u.path.replacePrefixMatch.replace(/\/$/, '') || '/';
    const prefix = rule.match.path.value;
    if (prefix === '/') {
      // a "/" prefix is a plain Envoy prefix: prefix_rewrite swaps that one character
      if (uri !== '/') notes.push(`the rule matches prefix "/", so Envoy's prefix_rewrite replaces that "/" with ${JSON.stringify(uri)} (no separator is added)`);
      return uri === '/' ? path : uri + path.slice(1);
    }
    const rest = path.slice(prefix.length);
    // removing the prefix keeps a leading "/" (istiod's regex rewrite for replacePrefixMatch "/")
    if (uri === '/') return `/${rest.replace(/^\//, '')}`;
    return uri + rest;
  }
  return path;
}

function applyRule(rule: ProgrammedRule, where: string, req: RouteRequest, notes: string[], scheme: string, port: number): RouteDecision {
  const route = rule.route;
  const f = rule.filters;
  if (f.requestRedirect) {
    const r = f.requestRedirect;
    // the CRD defaults statusCode to 302
    const status = typeof r.statusCode === 'number' ? r.statusCode : 302;
    const location = redirectLocation(r, rule, req, scheme, port);
    return { outcome: 'answered', status, location, route, rule, detail: `${where}: RequestRedirect answers ${status}`, backends: [], forwarded: req, notes };
  }
  if (f.cors && req.method === 'OPTIONS' && joinedHeader(req.headers, 'origin') !== undefined && joinedHeader(req.headers, 'access-control-request-method') !== undefined) {
    return { outcome: 'unknown', route, rule, detail: `${where}: a CORS preflight; Envoy's CORS filter may answer it itself, which is not simulated`, backends: [], forwarded: req, notes };
  }
  let forwarded: RouteRequest = req;
  if (f.urlRewrite) {
    const { path, query } = splitPath(req.path);
    const newPath = rewritePath(f.urlRewrite, rule, path, notes);
    forwarded = { ...forwarded, path: newPath + (query ? `?${query}` : ''), authority: typeof f.urlRewrite.hostname === 'string' ? f.urlRewrite.hostname : forwarded.authority };
    notes.push(`${rule.where} rewrites the request to ${forwarded.authority}${forwarded.path}`);
  }
  if (f.requestHeaderModifier) {
    forwarded = { ...forwarded, headers: applyHeaderModifier(forwarded.headers, f.requestHeaderModifier) };
    notes.push(`${rule.where} modifies request headers before the backend`);
  }
  if (f.responseHeaderModifier) notes.push(`${rule.where} modifies the response headers (the status is unchanged)`);
  if (f.cors) notes.push(`${rule.where} has a CORS filter: it adds CORS response headers and does not change the status of a request that is not a preflight`);
  for (const m of f.mirrors) {
    notes.push(m.failure ? `${rule.where} mirrors to ${m.kind} ${m.namespace}/${m.name}, which istiod drops (${m.why}); the request itself is unaffected`
      : `${rule.where} mirrors a copy of the request to ${m.why}; the mirror's answer is discarded`);
  }
  if (rule.timeouts) {
    const t = [rule.timeouts.request ? `request ${rule.timeouts.request}` : '', rule.timeouts.backendRequest ? `backendRequest ${rule.timeouts.backendRequest}` : ''].filter(Boolean).join(', ');
    notes.push(`${rule.where} has timeouts (${t}); the backend is assumed to answer in time (a slower one gets 504 from the gateway)`);
  }
  if (rule.direct) {
    return { outcome: 'answered', status: rule.direct.status, route, rule, detail: `${where}: ${rule.direct.why}`, backends: [], forwarded, notes };
  }
  return { outcome: 'matched', route, rule, detail: where, backends: rule.backends, forwarded, notes };
}
