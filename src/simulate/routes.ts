/**
 * HTTPRoute matching at an ingress gateway (Gateway API v1.5.1): which routes attach to the listener, which
 * rule wins for a request (hostnames, then the spec's precedence), and what its filters do.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP } from '../model/manifest';
import { authorityHost, headerValue } from './request';

/** What the gateway needs to know about the request. */
export interface RouteRequest {
  readonly method: string;
  readonly authority: string;
  /** With its query string. */
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface Backend {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly port?: number;
  readonly weight: number;
  readonly field: string;
}

export interface RouteDecision {
  readonly outcome: 'matched' | 'miss' | 'answered' | 'unknown';
  readonly detail: string;
  readonly route?: Entry;
  /** A status the gateway answers itself (404 no route, 3xx redirect, 500 no backend). */
  readonly status?: number;
  readonly location?: string;
  readonly backends: Backend[];
  /** The request as the backend receives it, after URLRewrite and RequestHeaderModifier filters. */
  readonly forwarded: RouteRequest;
  readonly notes: string[];
}

/** Whether `host` falls under a Gateway API hostname (`*.example.com` matches one or more labels before the suffix). */
export function hostnameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

/** Exact beats wildcard, a longer wildcard beats a shorter one; no hostname at all is the least specific. */
function hostSpecificity(patterns: string[], host: string): number {
  let best = -1;
  for (const p of patterns) {
    if (!hostnameMatches(p, host)) continue;
    best = Math.max(best, p.startsWith('*') ? 1000 + p.length : 100000 + p.length);
  }
  return best;
}

function selectorMatches(labels: Record<string, string>, selector: any): boolean {
  if (!selector || typeof selector !== 'object') return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = expr?.key in labels;
    const values: unknown[] = Array.isArray(expr?.values) ? expr.values : [];
    const ok = expr?.operator === 'In' ? has && values.includes(labels[expr.key]) :
      expr?.operator === 'NotIn' ? !(has && values.includes(labels[expr.key])) :
        expr?.operator === 'Exists' ? has : expr?.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/** Whether `listener` admits routes from `routeNs` (allowedRoutes.namespaces and kinds). */
export function listenerAdmits(model: MeshModel, gw: Entry, listener: any, routeNs: string): { ok: boolean; why: string } {
  const from: string = listener?.allowedRoutes?.namespaces?.from ?? 'Same';
  const kinds: any[] | undefined = listener?.allowedRoutes?.kinds;
  if (Array.isArray(kinds) && kinds.length > 0 && !kinds.some((k) => k?.kind === 'HTTPRoute' && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP)) {
    return { ok: false, why: `listener ${listener.name} allows only ${kinds.map((k) => k?.kind).join(', ')}` };
  }
  if (from === 'All') return { ok: true, why: '' };
  if (from === 'Selector') {
    const ok = selectorMatches(model.namespaceLabels(routeNs) ?? {}, listener.allowedRoutes.namespaces.selector);
    return { ok, why: ok ? '' : `listener ${listener.name} admits routes from namespaces matching its selector, and ${routeNs} does not` };
  }
  return { ok: routeNs === gw.namespace, why: `listener ${listener.name} admits routes from its own namespace ${gw.namespace} only` };
}

interface Candidate {
  readonly route: Entry;
  readonly rule: any;
  readonly ruleIndex: number;
  readonly match: any;
  readonly matchIndex: number;
  readonly pathType: string;
  readonly pathValue: string;
}

function splitPath(path: string): { path: string; query: string } {
  const q = path.indexOf('?');
  return q < 0 ? { path, query: '' } : { path: path.slice(0, q), query: path.slice(q + 1) };
}

function queryValue(query: string, name: string): string | undefined {
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const n = eq < 0 ? part : part.slice(0, eq);
    if (safeDecode(n) === name) return safeDecode(eq < 0 ? '' : part.slice(eq + 1));
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function fullMatch(pattern: string, value: string, notes: string[]): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    notes.push(`regular expression ${JSON.stringify(pattern)} does not compile here, so it matched nothing`);
    return false;
  }
}

/** Gateway API PathPrefix: whole segments, a trailing "/" in the value ignored. */
export function prefixMatches(value: string, path: string): boolean {
  const v = value.replace(/\/+$/, '');
  return v === '' || path === v || path.startsWith(`${v}/`);
}

function matchesRequest(c: Candidate, req: RouteRequest, notes: string[]): boolean {
  const { path, query } = splitPath(req.path);
  const m = c.match;
  if (c.pathType === 'Exact' && path !== c.pathValue) return false;
  if (c.pathType === 'PathPrefix' && !prefixMatches(c.pathValue, path)) return false;
  if (c.pathType === 'RegularExpression' && !fullMatch(c.pathValue, path, notes)) return false;
  if (typeof m?.method === 'string' && m.method !== req.method) return false;
  for (const h of Array.isArray(m?.headers) ? m.headers : []) {
    const v = headerValue(req.headers, String(h?.name ?? ''));
    if (v === undefined) return false;
    if ((h.type ?? 'Exact') === 'RegularExpression' ? !fullMatch(String(h.value), v, notes) : v !== h.value) return false;
  }
  for (const q of Array.isArray(m?.queryParams) ? m.queryParams : []) {
    const v = queryValue(query, String(q?.name ?? ''));
    if (v === undefined) return false;
    if ((q.type ?? 'Exact') === 'RegularExpression' ? !fullMatch(String(q.value), v, notes) : v !== q.value) return false;
  }
  return true;
}

/** Gateway API precedence: Exact path, longest prefix, method, most header matches, most query matches, then route age, name, rule order. */
function compareCandidates(a: Candidate, b: Candidate): number {
  const rank = (c: Candidate) => (c.pathType === 'Exact' ? 0 : c.pathType === 'PathPrefix' ? 1 : 2);
  const count = (c: Candidate, k: string) => (Array.isArray(c.match?.[k]) ? c.match[k].length : 0);
  const created = (e: Entry) => {
    const t = Date.parse(String(e.manifest.metadata?.creationTimestamp ?? ''));
    return Number.isNaN(t) ? Infinity : t;
  };
  const id = (e: Entry) => `${e.namespace}/${e.name}`;
  return rank(a) - rank(b)
    || (rank(a) === 1 ? b.pathValue.replace(/\/+$/, '').length - a.pathValue.replace(/\/+$/, '').length : 0)
    || (typeof b.match?.method === 'string' ? 1 : 0) - (typeof a.match?.method === 'string' ? 1 : 0)
    || count(b, 'headers') - count(a, 'headers')
    || count(b, 'queryParams') - count(a, 'queryParams')
    || created(a.route) - created(b.route)
    || (id(a.route) < id(b.route) ? -1 : id(a.route) > id(b.route) ? 1 : 0)
    || a.ruleIndex - b.ruleIndex
    || a.matchIndex - b.matchIndex;
}

function describeMatch(c: Candidate): string {
  const parts = [`${c.pathType} ${JSON.stringify(c.pathValue)}`];
  if (typeof c.match?.method === 'string') parts.push(`method ${c.match.method}`);
  if (Array.isArray(c.match?.headers) && c.match.headers.length) parts.push(`${c.match.headers.length} header match(es)`);
  if (Array.isArray(c.match?.queryParams) && c.match.queryParams.length) parts.push(`${c.match.queryParams.length} query match(es)`);
  return parts.join(', ');
}

/** Whether an HTTPRoute parentRef names this gateway listener. */
export function parentRefSelects(ref: any, route: Entry, gw: Entry, listener: any): boolean {
  if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref?.kind ?? 'Gateway') !== 'Gateway') return false;
  if ((ref?.namespace ?? route.namespace) !== gw.namespace || ref?.name !== gw.name) return false;
  if (ref.sectionName !== undefined && ref.sectionName !== listener?.name) return false;
  if (ref.port !== undefined && ref.port !== listener?.port) return false;
  return true;
}

/** Picks the route rule for `req` arriving on `listener` of `gw`; `routes` are the HTTPRoutes naming `gw` as a parent. */
export function matchRoute(model: MeshModel, gw: Entry, listener: any, routes: Entry[], req: RouteRequest): RouteDecision {
  const notes: string[] = [];
  const host = authorityHost(req.authority).toLowerCase();
  const listenerHost: string | undefined = typeof listener?.hostname === 'string' ? listener.hostname : undefined;
  const attached: Array<{ route: Entry; spec: number }> = [];
  const skipped: string[] = [];
  for (const route of routes) {
    const refs: any[] = Array.isArray(route.manifest.spec?.parentRefs) ? route.manifest.spec.parentRefs : [];
    if (!refs.some((r) => parentRefSelects(r, route, gw, listener))) {
      skipped.push(`HTTPRoute ${route.namespace}/${route.name}: its parentRefs do not select listener ${listener?.name}`);
      continue;
    }
    const admit = listenerAdmits(model, gw, listener, route.namespace);
    if (!admit.ok) {
      skipped.push(`HTTPRoute ${route.namespace}/${route.name}: ${admit.why}`);
      continue;
    }
    const hostnames: string[] = Array.isArray(route.manifest.spec?.hostnames) ? route.manifest.spec.hostnames.map(String) : [];
    if (listenerHost && !hostnameMatches(listenerHost, host)) {
      skipped.push(`HTTPRoute ${route.namespace}/${route.name}: host ${JSON.stringify(host)} is outside listener hostname ${listenerHost}`);
      continue;
    }
    const spec = hostnames.length === 0 ? 0 : hostSpecificity(hostnames, host);
    if (spec < 0) {
      skipped.push(`HTTPRoute ${route.namespace}/${route.name}: host ${JSON.stringify(host)} matches none of its hostnames ${JSON.stringify(hostnames)}`);
      continue;
    }
    attached.push({ route, spec });
  }
  const best = Math.max(-1, ...attached.map((a) => a.spec));
  const hosts = attached.filter((a) => a.spec === best).map((a) => a.route);
  const candidates: Candidate[] = [];
  for (const route of hosts) {
    const rules: any[] = Array.isArray(route.manifest.spec?.rules) ? route.manifest.spec.rules : [{}];
    rules.forEach((rule, ruleIndex) => {
      const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length > 0 ? rule.matches : [{}];
      matches.forEach((match, matchIndex) => {
        const pathType = String(match?.path?.type ?? 'PathPrefix');
        const pathValue = String(match?.path?.value ?? '/');
        const c = { route, rule, ruleIndex, match, matchIndex, pathType, pathValue };
        if (matchesRequest(c, req, notes)) candidates.push(c);
      });
    });
  }
  if (candidates.some((c) => c.pathType === 'RegularExpression')) {
    notes.push('RegularExpression path matches rank after Exact and PathPrefix here (Gateway API leaves their precedence to the implementation)');
  }
  if (candidates.length === 0) {
    const why = hosts.length === 0 ? (routes.length === 0 ? `no HTTPRoute names Gateway ${gw.namespace}/${gw.name}` : skipped.join('; ') || 'no HTTPRoute attaches') :
      `no rule of ${hosts.map((r) => `HTTPRoute ${r.namespace}/${r.name}`).join(', ')} matches ${req.method} ${splitPath(req.path).path}`;
    return { outcome: 'miss', status: 404, detail: `no route: ${why}`, backends: [], forwarded: req, notes };
  }
  candidates.sort(compareCandidates);
  const win = candidates[0];
  if (candidates.some((c) => c !== win && c.route !== win.route) && !candidates.every((c) => c.route.manifest.metadata?.creationTimestamp)) {
    notes.push('several HTTPRoutes match; without creationTimestamps the tie goes to the first by namespace/name');
  }
  const where = `HTTPRoute ${win.route.namespace}/${win.route.name} rule ${win.ruleIndex} match ${win.matchIndex} (${describeMatch(win)})`;
  return applyRule(win, where, req, notes);
}

function applyRule(win: Candidate, where: string, req: RouteRequest, notes: string[]): RouteDecision {
  const route = win.route;
  let forwarded: RouteRequest = req;
  const filters: any[] = Array.isArray(win.rule?.filters) ? win.rule.filters : [];
  for (const f of filters) {
    switch (f?.type) {
      case 'RequestRedirect': {
        const r = f.requestRedirect ?? {};
        const status = typeof r.statusCode === 'number' ? r.statusCode : 302;
        const location = `${r.scheme ?? 'http'}://${r.hostname ?? authorityHost(req.authority)}${r.port ? `:${r.port}` : ''}${r.path?.replaceFullPath ?? splitPath(req.path).path}`;
        return { outcome: 'answered', status, location, route, detail: `${where}: RequestRedirect answers ${status}`, backends: [], forwarded, notes };
      }
      case 'URLRewrite': {
        const u = f.urlRewrite ?? {};
        const { path, query } = splitPath(forwarded.path);
        let newPath = path;
        if (u.path?.type === 'ReplaceFullPath' && typeof u.path.replaceFullPath === 'string') newPath = u.path.replaceFullPath;
        if (u.path?.type === 'ReplacePrefixMatch' && typeof u.path.replacePrefixMatch === 'string' && win.pathType === 'PathPrefix') {
          const rest = path.slice(win.pathValue.replace(/\/+$/, '').length);
          newPath = (u.path.replacePrefixMatch.replace(/\/+$/, '') + rest) || '/';
        }
        forwarded = { ...forwarded, path: newPath + (query ? `?${query}` : ''), authority: typeof u.hostname === 'string' ? u.hostname : forwarded.authority };
        notes.push(`${where} rewrites the request to ${forwarded.authority}${forwarded.path}`);
        break;
      }
      case 'RequestHeaderModifier': {
        const m = f.requestHeaderModifier ?? {};
        let headers = [...forwarded.headers].map(([n, v]) => [n, v] as [string, string]);
        const drop = (name: string) => { headers = headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase()); };
        for (const h of Array.isArray(m.set) ? m.set : []) { drop(String(h.name)); headers.push([String(h.name), String(h.value)]); }
        for (const h of Array.isArray(m.add) ? m.add : []) headers.push([String(h.name), String(h.value)]);
        for (const n of Array.isArray(m.remove) ? m.remove : []) drop(String(n));
        forwarded = { ...forwarded, headers };
        notes.push(`${where} modifies request headers before the backend`);
        break;
      }
      case 'ExtensionRef':
        return { outcome: 'unknown', route, detail: `${where}: an ExtensionRef filter's effect cannot be known offline`, backends: [], forwarded, notes };
      default:
        if (f?.type) notes.push(`${where}: filter ${f.type} does not change the status and is not modelled`);
    }
  }
  const refs: any[] = Array.isArray(win.rule?.backendRefs) ? win.rule.backendRefs : [];
  const backends: Backend[] = refs.map((b, i) => ({
    group: b?.group ?? '', kind: b?.kind ?? 'Service', namespace: b?.namespace ?? route.namespace, name: String(b?.name ?? ''),
    port: typeof b?.port === 'number' ? b.port : undefined, weight: typeof b?.weight === 'number' ? b.weight : 1,
    field: `spec.rules[${win.ruleIndex}].backendRefs[${i}]`,
  })).filter((b) => b.weight > 0);
  if (backends.length === 0) {
    return { outcome: 'answered', status: 500, route, detail: `${where} has no backend with weight above 0: the gateway answers 500`, backends, forwarded, notes };
  }
  return { outcome: 'matched', route, detail: where, backends, forwarded, notes };
}

/** Whether a ReferenceGrant in the backend's namespace lets HTTPRoutes of `fromNs` reference the Service. */
export function referenceGranted(grants: Entry[], fromNs: string, backend: Backend): boolean {
  return grants.some((g) => {
    const spec = g.manifest.spec ?? {};
    const from = Array.isArray(spec.from) ? spec.from : [];
    const to = Array.isArray(spec.to) ? spec.to : [];
    return from.some((f: any) => f?.group === GATEWAY_GROUP && f?.kind === 'HTTPRoute' && f?.namespace === fromNs)
      && to.some((t: any) => (t?.group ?? '') === backend.group && t?.kind === backend.kind && (t?.name === undefined || t.name === backend.name));
  });
}
