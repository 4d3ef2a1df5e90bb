/**
 * What istiod makes of an HTTPRoute's or GRPCRoute's rules (Istio 1.30.3, `pilot/pkg/config/kube/gateway/
 * conversion.go` `convertHTTPRoute`, `convertGRPCRoute`, `buildDestination`, `createURIMatch`...): one entry per
 * match, its filters, its backends resolved, the status the gateway answers by itself, and the order Envoy tries
 * them in (`sortHTTPRoutes`, `route_collections.go` `mergeHTTPRoutes`, `route.go` `SortVHostRoutes`).
 */
import { Entry, MeshModel } from './mesh-model';
import { GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, key } from './manifest';
import { RE2JS } from 're2js';
import { findGrant } from './reference-grants';
import { merged } from './merged';

/** A path match after istiod's normalisation; `Any` is a GRPCRoute match without a method (no path condition). */
export interface PathMatch {
  readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression' | 'Any';
  /** PathPrefix without its trailing `/` (except `/` itself); a GRPCRoute method turned into a path match. */
  readonly value: string;
}

export interface ValueMatch {
  readonly name: string;
  readonly type: 'Exact' | 'RegularExpression';
  readonly value: string;
}

/** One `matches[]` entry as istiod turns it into an Envoy route match. */
export interface RouteMatch {
  readonly path: PathMatch;
  readonly method?: string;
  /** By name; a later entry with the same name replaces an earlier one (istiod builds a map). */
  readonly headers: ValueMatch[];
  readonly queryParams: ValueMatch[];
}

/** Why a backendRef gets no traffic through: Envoy then answers 500 for its share. */
export enum BackendFailure {
  /** No Service (or ServiceEntry host) of that name. */
  NOT_FOUND = 'not-found',
  /** The Service has no such port, so there is no cluster for it. */
  NO_SUCH_PORT = 'no-such-port',
  /** In another namespace, and no ReferenceGrant there allows the route (`buildDestination`). */
  NOT_PERMITTED = 'not-permitted',
  /** A group/kind istiod does not route to. */
  UNSUPPORTED_KIND = 'unsupported-kind',
}

/** One backendRef (or mirror backendRef), resolved. */
export interface BackendResolution {
  readonly field: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly port?: number;
  readonly weight: number;
  /** The Service or ServiceEntry it reaches. */
  readonly target?: Entry;
  readonly grant?: Entry;
  readonly failure?: BackendFailure;
  readonly why: string;
}

/** A filter's effect, kept as written (the simulator applies them). */
export interface RuleFilters {
  readonly requestHeaderModifier?: any;
  readonly responseHeaderModifier?: any;
  readonly requestRedirect?: any;
  readonly urlRewrite?: any;
  readonly cors?: any;
  readonly mirrors: BackendResolution[];
}

/** One match of one rule, as one Envoy route. */
export interface ProgrammedRule {
  readonly route: Entry;
  readonly ruleIndex: number;
  /** Index in `matches` (0 for a rule without matches). */
  readonly matchIndex: number;
  readonly match: RouteMatch;
  readonly filters: RuleFilters;
  /** Backends with weight above 0. */
  readonly backends: BackendResolution[];
  /** Every backendRef, weight 0 included (for checks). */
  readonly allBackends: BackendResolution[];
  /** The status the gateway answers itself when the rule has no backend to send to (404 none, 500 all weight 0). */
  readonly direct?: { readonly status: number; readonly why: string };
  /** `HTTPRoute ns/name rule i match j`. */
  readonly where: string;
  /** `timeouts` as written (istiod turns them into route and per-try timeouts). */
  readonly timeouts?: { readonly request?: string; readonly backendRequest?: string };
}

/** What istiod programs for one route: its rules, or nothing when a hard error drops the whole route. */
export interface RouteProgram {
  readonly rules: ProgrammedRule[];
  /** Set when istiod refuses the route: then none of its rules is programmed. */
  readonly dropped?: { readonly field: string; readonly why: string; readonly value: unknown };
}

/** Multi-cluster services: istiod looks a ServiceImport up as the Service of that name. */
const MCS_GROUP = 'multicluster.x-k8s.io';
const INFERENCE_GROUP = 'inference.networking.k8s.io';

const re2Cache = new Map<string, RE2JS | Error>();

/**
 * A full-match test with Envoy's regex engine, RE2 (linear time, so a hostile pattern cannot hang the simulator);
 * undefined when RE2 refuses the pattern (Envoy would refuse the route configuration).
 */
export function re2FullMatch(pattern: string, value: string): boolean | undefined {
  let re = re2Cache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
    if (re2Cache.size > 10000) re2Cache.clear();
    re2Cache.set(pattern, re);
  }
  return re instanceof Error ? undefined : re.matches(value);
}

/** Why RE2 refuses a pattern, or undefined when it compiles. */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const HTTP_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'RequestMirror', 'URLRewrite', 'CORS'];
const GRPC_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror'];
const BACKEND_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier'];

/** Header values Envoy accepts: no control characters other than tab (`isValidHeaderValue`). */
export function isValidHeaderValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c === 0x7f)) return false;
  }
  return true;
}

class Dropped extends Error {
  constructor(public readonly field: string, public readonly why: string, public readonly value: unknown) {
    super(why);
  }
}

function valueMatches(list: unknown, field: string, what: string): ValueMatch[] {
  const byName = new Map<string, ValueMatch>();
  (Array.isArray(list) ? list : []).forEach((h: any, i: number) => {
    const type = h?.type ?? 'Exact';
    if (type !== 'Exact' && type !== 'RegularExpression') throw new Dropped(`${field}[${i}].type`, `${what} match type ${JSON.stringify(type)} is not supported`, type);
    byName.set(String(h?.name ?? ''), { name: String(h?.name ?? ''), type, value: String(h?.value ?? '') });
  });
  return [...byName.values()];
}

function httpMatch(m: any, field: string): RouteMatch {
  const type = m?.path?.type ?? 'PathPrefix';
  let value = typeof m?.path?.value === 'string' ? m.path.value : '/';
  if (type !== 'Exact' && type !== 'PathPrefix' && type !== 'RegularExpression') {
    throw new Dropped(`${field}.path.type`, `path match type ${JSON.stringify(type)} is not supported`, type);
  }
  // "when specified, a trailing / is ignored" (createURIMatch)
  if (type === 'PathPrefix' && value !== '/') value = value.replace(/\/$/, '');
  return {
    path: { type, value },
    method: typeof m?.method === 'string' ? m.method : undefined,
    headers: valueMatches(m?.headers, `${field}.headers`, 'header'),
    queryParams: valueMatches(m?.queryParams, `${field}.queryParams`, 'query parameter'),
  };
}

/** A GRPCRoute match as the path match istiod makes of it (`createGRPCURIMatch`). */
function grpcMatch(m: any, field: string): RouteMatch {
  const headers = valueMatches(m?.headers, `${field}.headers`, 'header');
  const method = m?.method;
  if (!method) return { path: { type: 'Any', value: '' }, headers, queryParams: [] };
  const svc = typeof method.service === 'string' ? method.service : undefined;
  const meth = typeof method.method === 'string' ? method.method : undefined;
  if (svc === undefined && meth === undefined) throw new Dropped(`${field}.method`, 'gRPC method match has neither service nor method', method);
  const regex = (method.type ?? 'Exact') === 'RegularExpression';
  let path: PathMatch;
  if (!regex) {
    path = meth === undefined ? { type: 'PathPrefix', value: `/${svc}/` } : svc === undefined ? { type: 'RegularExpression', value: `/[^/]+/${meth}` } : { type: 'Exact', value: `/${svc}/${meth}` };
  } else {
    path = { type: 'RegularExpression', value: meth === undefined ? `/${svc}/.+` : svc === undefined ? `/[^/]+/${meth}` : `/${svc}/${meth}` };
  }
  return { path, headers, queryParams: [] };
}

/** Resolves one backendRef of a route in namespace `routeNs` (`buildDestination`). Throws Dropped on istiod's hard errors. */
export function resolveBackendRef(model: MeshModel, route: Entry, b: any, field: string): BackendResolution {
  const group = String(b?.group ?? '');
  const kind = String(b?.kind ?? 'Service');
  const name = String(b?.name ?? '');
  const explicitNs = typeof b?.namespace === 'string' && b.namespace !== '' ? b.namespace : undefined;
  const namespace = explicitNs ?? route.namespace;
  const port = typeof b?.port === 'number' ? b.port : undefined;
  const weight = typeof b?.weight === 'number' ? b.weight : 1;
  const base = { field, group, kind, namespace, name, port, weight };
  const isService = ((group === '' || group === 'core') && kind === 'Service') || (group === MCS_GROUP && kind === 'ServiceImport');
  const isHostname = group === ISTIO_NETWORKING_GROUP && kind === 'Hostname';
  let grant: Entry | undefined;
  if (explicitNs !== undefined && explicitNs !== route.namespace) {
    const toGroup = isService && kind === 'Service' ? '' : group;
    grant = findGrant(model, { group: GATEWAY_GROUP, kind: route.kind, namespace: route.namespace }, { group: toGroup, kind, namespace, name });
    if (!grant) {
      return merged(base, { failure: BackendFailure.NOT_PERMITTED,
        why: `${kind} ${namespace}/${name} is in another namespace and no ReferenceGrant in ${namespace} lets ${route.kind}s of ${route.namespace} reference it` });
    }
  }
  if (isService) {
    if (name.includes('.')) throw new Dropped(`${field}.name`, 'a backend Service is named by its name, not a hostname, so istiod refuses the route', name);
    if (port === undefined) throw new Dropped(`${field}.port`, 'a Service backendRef needs a port, so istiod refuses the route', undefined);
    const svc = model.services.get(key(namespace, name));
    if (!svc) return merged(base, { grant, failure: BackendFailure.NOT_FOUND, why: `Service ${namespace}/${name} is not among the manifests` });
    const ports: any[] = Array.isArray(svc.manifest.spec?.ports) ? svc.manifest.spec.ports : [];
    if (!ports.some((p) => p?.port === port)) {
      return merged(base, { grant, target: svc, failure: BackendFailure.NO_SUCH_PORT,
        why: `Service ${namespace}/${name} has no port ${port} (it has ${ports.map((p) => p?.port).join(', ') || 'none'})` });
    }
    return merged(base, { grant, target: svc, why: `Service ${namespace}/${name} port ${port}` });
  }
  if (isHostname) {
    if (explicitNs !== undefined) throw new Dropped(`${field}.namespace`, 'a Hostname backend takes no namespace, so istiod refuses the route', explicitNs);
    if (port === undefined) throw new Dropped(`${field}.port`, 'a Hostname backendRef needs a port, so istiod refuses the route', undefined);
    const se = serviceEntryWithHost(model, name);
    if (!se) return merged(base, { failure: BackendFailure.NOT_FOUND, why: `no ServiceEntry among the manifests has host ${name}` });
    return merged(base, { target: se, why: `host ${name} of ServiceEntry ${se.namespace}/${se.name} port ${port}` });
  }
  if (group === INFERENCE_GROUP && kind === 'InferencePool') {
    return merged(base, { grant, failure: BackendFailure.UNSUPPORTED_KIND, why: `backend InferencePool ${namespace}/${name} needs istiod's ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true (default false), and inference routing is not modelled` });
  }
  return merged(base, { grant, failure: BackendFailure.UNSUPPORTED_KIND, why: `backend ${group || 'core'}/${kind} ${name} is not a kind istiod routes to (Service, or networking.istio.io Hostname)` });
}

function checkHeaderFilter(f: any, field: string): void {
  for (const list of ['set', 'add']) {
    (Array.isArray(f?.[list]) ? f[list] : []).forEach((h: any, i: number) => {
      if (typeof h?.value === 'string' && !isValidHeaderValue(h.value)) {
        throw new Dropped(`${field}.${list}[${i}].value`, `header ${JSON.stringify(h.name)} value contains control characters, so istiod refuses the route`, h.value);
      }
    });
  }
}

function programRule(model: MeshModel, route: Entry, rule: any, ruleIndex: number): ProgrammedRule[] {
  const grpc = route.kind === 'GRPCRoute';
  const rf = `spec.rules[${ruleIndex}]`;
  const allowed = grpc ? GRPC_FILTERS : HTTP_FILTERS;
  const filters: { -readonly [K in keyof RuleFilters]: RuleFilters[K] } = { mirrors: [] };
  (Array.isArray(rule?.filters) ? rule.filters : []).forEach((f: any, i: number) => {
    const ff = `${rf}.filters[${i}]`;
    if (!allowed.includes(f?.type)) throw new Dropped(`${ff}.type`, `filter type ${JSON.stringify(f?.type)} is not supported by istiod, which then programs none of the route's rules`, f?.type);
    switch (f.type) {
      case 'RequestHeaderModifier': checkHeaderFilter(f.requestHeaderModifier, `${ff}.requestHeaderModifier`); filters.requestHeaderModifier = f.requestHeaderModifier ?? {}; break;
      case 'ResponseHeaderModifier': checkHeaderFilter(f.responseHeaderModifier, `${ff}.responseHeaderModifier`); filters.responseHeaderModifier = f.responseHeaderModifier ?? {}; break;
      case 'RequestRedirect': filters.requestRedirect = f.requestRedirect ?? {}; break;
      case 'URLRewrite': filters.urlRewrite = f.urlRewrite ?? {}; break;
      case 'CORS': filters.cors = f.cors ?? {}; break;
      case 'RequestMirror': {
        const m = resolveBackendRef(model, route, f.requestMirror?.backendRef, `${ff}.requestMirror.backendRef`);
        // a GRPCRoute's bad mirror is a hard error; an HTTPRoute keeps its routes and drops the mirror
        if (grpc && m.failure) throw new Dropped(m.field, `${m.why}, so istiod refuses the GRPCRoute`, m.name);
        filters.mirrors.push(m);
        break;
      }
    }
  });
  const refs: any[] = Array.isArray(rule?.backendRefs) ? rule.backendRefs : [];
  const allBackends: BackendResolution[] = [];
  const backends: BackendResolution[] = [];
  refs.forEach((b, i) => {
    const bf = `${rf}.backendRefs[${i}]`;
    const weight = typeof b?.weight === 'number' ? b.weight : 1;
    if (weight === 0) {
      // istiod skips weight-0 backends before it looks at them
      allBackends.push({ field: bf, group: String(b?.group ?? ''), kind: String(b?.kind ?? 'Service'), namespace: b?.namespace ?? route.namespace, name: String(b?.name ?? ''), port: b?.port, weight: 0, why: 'weight 0' });
      return;
    }
    (Array.isArray(b?.filters) ? b.filters : []).forEach((f: any, j: number) => {
      if (!BACKEND_FILTERS.includes(f?.type)) throw new Dropped(`${bf}.filters[${j}].type`, `backendRef filter type ${JSON.stringify(f?.type)} is not supported by istiod, which then programs none of the route's rules`, f?.type);
    });
    const r = resolveBackendRef(model, route, b, bf);
    allBackends.push(r);
    backends.push(r);
  });
  let direct: ProgrammedRule['direct'];
  if (backends.length === 0 && !filters.requestRedirect) {
    direct = grpc ? { status: 500, why: 'the rule has no backend with weight above 0: istiod answers 500' } :
      refs.length === 0 ? { status: 404, why: 'the rule has no backendRefs: istiod answers 404' } :
        { status: 500, why: 'every backendRef has weight 0: istiod answers 500' };
  }
  const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length > 0 ? rule.matches : [undefined];
  return matches.map((m, matchIndex) => {
    const mf = `${rf}.matches[${matchIndex}]`;
    const match = grpc ? grpcMatch(m, mf) : httpMatch(m, mf);
    const t = rule?.timeouts;
    const timeouts = t && (typeof t.request === 'string' || typeof t.backendRequest === 'string') ? { request: t.request, backendRequest: t.backendRequest } : undefined;
    return { route, ruleIndex, matchIndex, match, filters, backends, allBackends, direct, ...(timeouts ? { timeouts } : {}),
      where: `${route.kind} ${route.namespace}/${route.name} rule ${ruleIndex} match ${matchIndex}` };
  });
}

const programCache = new WeakMap<Entry, RouteProgram>();

/** What istiod programs for an HTTPRoute or GRPCRoute (memoised per entry). */
export function routeProgram(model: MeshModel, route: Entry): RouteProgram {
  const cached = programCache.get(route);
  if (cached) return cached;
  let out: RouteProgram;
  try {
    const rules: any[] = Array.isArray(route.manifest.spec?.rules) && route.manifest.spec.rules.length > 0 ? route.manifest.spec.rules : [{}];
    out = { rules: rules.flatMap((r, i) => programRule(model, route, r, i)) };
  } catch (e) {
    if (!(e instanceof Dropped)) throw e;
    out = { rules: [], dropped: { field: e.field, why: e.why, value: e.value } };
  }
  programCache.set(route, out);
  return out;
}

/**
 * Envoy treats a route as catch-all, and moves it after every other route of the virtual host, when it matches any
 * path (`/` prefix) with no header or query match; a method match is a header match there (`IsCatchAllRoute`).
 */
export function isCatchAll(m: RouteMatch): boolean {
  const anyPath = m.path.type === 'Any' || (m.path.type === 'PathPrefix' && m.path.value === '/') || (m.path.type === 'RegularExpression' && m.path.value === '.*');
  return anyPath && m.method === undefined && m.headers.length === 0 && m.queryParams.length === 0;
}

function uriRank(p: PathMatch): number {
  return p.type === 'Exact' ? 3 : p.type === 'PathPrefix' ? 2 : p.type === 'RegularExpression' ? 1 : -1;
}

/**
 * How two matches order, by specificity alone (`sortHTTPRoutes`, then `SortVHostRoutes`): catch-all last; Exact,
 * then PathPrefix, then RegularExpression; a longer value first; a method match first; more header matches; more
 * query matches. 0 when the spec leaves it to creation time and name.
 */
export function compareSpecificity(a: RouteMatch, b: RouteMatch): number {
  return (isCatchAll(a) ? 1 : 0) - (isCatchAll(b) ? 1 : 0)
    || uriRank(b.path) - uriRank(a.path)
    || b.path.value.length - a.path.value.length
    || (b.method !== undefined ? 1 : 0) - (a.method !== undefined ? 1 : 0)
    || b.headers.length - a.headers.length
    || b.queryParams.length - a.queryParams.length;
}

/** A route's creation time in ms, undefined when the manifest has none (the API server sets it at create). */
export function creationTime(route: Entry): number | undefined {
  const t = Date.parse(String(route.manifest.metadata?.creationTimestamp ?? ''));
  return Number.isNaN(t) ? undefined : t;
}

/** How a tie between two rules of equal specificity is broken, and whether the manifests decide it. */
export interface TieBreak {
  /** Negative when `a` comes first. */
  readonly order: number;
  /** `rule order` within one route; `creation time` or `namespace/name` across routes; `undecided` without timestamps. */
  readonly by: 'rule order' | 'creation time' | 'namespace/name' | 'undecided';
}

/**
 * Orders two rules of equal specificity (`sortRoutesByCreationTime`, then rule and match order within a route).
 * Across routes, the older route wins, then namespace/name; when either route has no creationTimestamp the live
 * order is not in the manifests (`undecided`; the order returned is then namespace/name, istiod's fallback).
 */
export function tieBreak(a: ProgrammedRule, b: ProgrammedRule): TieBreak {
  if (a.route === b.route) return { order: a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex, by: 'rule order' };
  const byName = (a.route.namespace < b.route.namespace ? -1 : a.route.namespace > b.route.namespace ? 1 : 0)
    || (a.route.name < b.route.name ? -1 : a.route.name > b.route.name ? 1 : 0);
  // an HTTPRoute and a GRPCRoute of one name: istiod's sort is not stable, so their order is not decided
  const kindOrder = a.route.kind < b.route.kind ? -1 : 1;
  const ta = creationTime(a.route);
  const tb = creationTime(b.route);
  if (ta === undefined || tb === undefined) return { order: byName || kindOrder, by: 'undecided' };
  // Kubernetes timestamps have one-second resolution
  const sa = Math.floor(ta / 1000);
  const sb = Math.floor(tb / 1000);
  if (sa !== sb) return { order: sa - sb, by: 'creation time' };
  if (byName === 0) return { order: kindOrder, by: 'undecided' };
  return { order: byName, by: 'namespace/name' };
}

/** Sorts rules the way Envoy tries them within one merged VirtualService. */
export function sortRules(rules: ProgrammedRule[]): ProgrammedRule[] {
  return [...rules].sort((a, b) => compareSpecificity(a.match, b.match) || tieBreak(a, b).order);
}

/** Whether two matches are the same condition (same path, method, header and query matches, in any order). */
export function sameMatch(a: RouteMatch, b: RouteMatch): boolean {
  const norm = (l: ValueMatch[]) => l.map((v) => `${v.name.toLowerCase()}\u0000${v.type}\u0000${v.value}`).sort().join('\u0001');
  return a.path.type === b.path.type && a.path.value === b.path.value && a.method === b.method
    && norm(a.headers) === norm(b.headers) && norm(a.queryParams) === norm(b.queryParams);
}

/** `Exact "/a", method GET, 1 header match(es)` for traces and findings. */
export function describeMatch(m: RouteMatch): string {
  const parts = [m.path.type === 'Any' ? 'any path' : `${m.path.type} ${JSON.stringify(m.path.value)}`];
  if (m.method !== undefined) parts.push(`method ${m.method}`);
  if (m.headers.length) parts.push(`${m.headers.length} header match(es)`);
  if (m.queryParams.length) parts.push(`${m.queryParams.length} query match(es)`);
  return parts.join(', ');
}

const HOSTS = new WeakMap<MeshModel, Map<unknown, Entry>>();

/** The first ServiceEntry (in input order) whose `spec.hosts` lists `host`; indexed once per model. */
function serviceEntryWithHost(model: MeshModel, host: string): Entry | undefined {
  let idx = HOSTS.get(model);
  if (!idx) {
    idx = new Map();
    for (const e of model.serviceEntries.values()) {
      const hosts = e.manifest.spec?.hosts;
      if (!Array.isArray(hosts)) continue;
      for (const h of hosts) if (!idx.has(h)) idx.set(h, e);
    }
    HOSTS.set(model, idx);
  }
  return idx.get(host);
}
