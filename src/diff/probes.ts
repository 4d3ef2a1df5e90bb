/**
 * The requests that matter for a policy diff, read off the model: for every Service and every ingress
 * listener, the paths its attached basic_auth rules guard (and its routes match), each with the methods those
 * rules list, sent with no credential, a wrong one and each listed one, from a client in the target's own
 * namespace and from one client elsewhere. Which plugin guards which target is the model's attachment
 * predicate, as the rules and the simulator ask it.
 */
import { ProxyKind, attaches } from '../model/attachment';
import { Entry, MeshModel } from '../model/mesh-model';
import { extensionOf } from '../model/extension';
import { GatewayRole } from '../model/gateway-class';
import { key } from '../model/manifest';
import { LABEL_MANAGED, resolveWaypoint } from '../model/waypoint-binding';
import { BASIC_AUTH_MATCHERS, isBasicAuthUrl, isCredentialPlaceholder, storedCredential } from '../rules/basic-auth';
import { maskCredential } from '../rules/display';
import { routeAttachedTo } from '../model/route-attachment';
import { SimulationRequest } from '../simulate/types';

/** What credential a request carries. */
export type CredentialKind = 'none' | 'invalid' | 'valid';

/** One generated request; its `key` is the same in both trees for the same request. */
export interface Probe {
  readonly key: string;
  /** `Service <ns>/<name>`, `ServiceEntry <ns>/<name>` or `Gateway <ns>/<name>` (an ingress). */
  readonly target: string;
  readonly targetNamespace: string;
  readonly clientNamespace: string;
  readonly request: SimulationRequest;
  /** The URL path (and query) sent. */
  readonly path: string;
  readonly credentials: CredentialKind;
  /** For a listed credential: its user name masked (`ok:***`) and the rule that lists it. */
  readonly credentialUser?: string;
  readonly credentialSource?: string;
}

/** The credential no rule lists, sent as the wrong one. */
export const INVALID_CREDENTIAL = `Basic ${Buffer.from('cdk8s-istio-ambient-diff:not-a-listed-credential').toString('base64')}`;

interface GuardRule {
  readonly type: 'prefix' | 'exact' | 'suffix';
  readonly path: string;
  readonly methods: string[];
  /** Header tokens (`user:pass` entries base64-encoded as the module stores them) with their masked user. */
  readonly credentials: Array<{ token: string; user: string }>;
  readonly source: string;
}

/** Something requests are sent to. */
export interface ProbeTarget {
  readonly id: string;
  readonly namespace: string;
  readonly urls: Array<{ url: string; host?: string }>;
  /** Paths beyond `/` that matter (route matches). */
  readonly paths: string[];
  readonly rules: GuardRule[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The basic_auth rules of a plugin as the module reads them (rules it could not read are left out). */
function guardRules(p: Entry): GuardRule[] {
  const body = extensionOf(p).wasm ?? {};
  if (!isBasicAuthUrl(body.url)) return [];
  const rules: unknown = body.pluginConfig?.basic_auth_rules;
  if (!Array.isArray(rules)) return [];
  const out: GuardRule[] = [];
  rules.forEach((r: any, i: number) => {
    const type = BASIC_AUTH_MATCHERS.find((k) => typeof r?.[k] === 'string' && r[k] !== '');
    if (!type) return;
    const methods = Array.isArray(r.request_methods) ? r.request_methods.filter((m: unknown): m is string => typeof m === 'string' && m !== '') : [];
    const credentials = (Array.isArray(r.credentials) ? r.credentials : [])
      .filter((c: unknown): c is string => typeof c === 'string' && c !== '' && !isCredentialPlaceholder(c))
      .map((c: string) => ({ token: storedCredential(c), user: maskedUser(c) }));
    out.push({ type, path: r[type], methods, credentials, source: `${p.kind} ${p.namespace}/${p.name} rule ${i}` });
  });
  return out;
}

function maskedUser(entry: string): string {
  if (entry.includes(':')) return maskCredential(entry);
  const text = Buffer.from(entry, 'base64').toString('utf8');
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(text) ? maskCredential(text) : maskCredential(entry);
}

function ruleMatches(r: GuardRule, path: string): boolean {
  if (r.type === 'prefix') return path.startsWith(r.path);
  if (r.type === 'exact') return path === r.path;
  return path.endsWith(r.path);
}

/** A path a rule's matcher matches: the prefix or exact path itself, or a file name ending in the suffix. */
function pathFor(r: GuardRule): string | undefined {
  if (r.type === 'suffix') return `/probe${r.path}`;
  return r.path.startsWith('/') ? r.path : undefined;
}

/**
 * Finds the probe targets of a model: Services, ServiceEntries with addresses, ingress Gateways' HTTP listeners;
 * only in the namespaces `inScope` accepts.
 */
export function probeTargets(model: MeshModel, clusterDomain = 'cluster.local', inScope: (ns: string) => boolean = () => true): ProbeTarget[] {
  // the model's own index of WasmPlugins and TrafficExtensions per namespace, in input order
  const candidates = (...namespaces: string[]) => [...new Set(namespaces)].flatMap((ns) => model.extensionsIn(ns));
  const rulesAt = (proxy: Entry, kind: ProxyKind, service?: Entry): GuardRule[] => {
    const nss = kind === ProxyKind.WAYPOINT && service ? [proxy.namespace, model.rootNamespace, service.namespace] : [proxy.namespace, model.rootNamespace];
    return candidates(...nss).filter((p) => attaches(model, p, { proxy, kind, service }).attached).flatMap(guardRules);
  };
  const serviceRules = (svc: Entry): GuardRule[] => {
    const b = resolveWaypoint(model, svc, 'service');
    return b.waypoint ? rulesAt(b.waypoint, ProxyKind.WAYPOINT, svc) : [];
  };
  const ingress = [...model.gateways.values()].filter((gw) => model.gatewayRole(gw) === GatewayRole.INGRESS);
  const ingressServices = new Set(ingress.map((gw) => key(gw.namespace, `${gw.name}-istio`)));
  const out: ProbeTarget[] = [];
  for (const svc of model.services.values()) {
    if (!inScope(svc.namespace)) continue;
    if (ingressServices.has(key(svc.namespace, svc.name))) continue;
    if (str(svc.manifest.metadata?.labels?.[LABEL_MANAGED])) continue;
    const ports: any[] = Array.isArray(svc.manifest.spec?.ports) ? svc.manifest.spec.ports : [];
    const urls = ports.filter((p) => Number.isInteger(p?.port)).map((p) => ({ url: `http://${svc.name}.${svc.namespace}${p.port === 80 ? '' : `:${p.port}`}` }));
    if (urls.length === 0) continue;
    out.push({ id: `Service ${svc.namespace}/${svc.name}`, namespace: svc.namespace, urls, paths: [], rules: serviceRules(svc) });
  }
  for (const se of model.serviceEntries.values()) {
    if (!inScope(se.namespace)) continue;
    const spec = se.manifest.spec ?? {};
    const host = Array.isArray(spec.hosts) ? str(spec.hosts[0]) : undefined;
    const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
    if (!host || host.includes('*') || !Array.isArray(spec.addresses) || spec.addresses.length === 0) continue;
    const urls = ports.filter((p) => Number.isInteger(p?.number)).map((p) => ({ url: `http://${host}${p.number === 80 ? '' : `:${p.number}`}` }));
    if (urls.length > 0) out.push({ id: `ServiceEntry ${se.namespace}/${se.name}`, namespace: se.namespace, urls, paths: [], rules: serviceRules(se) });
  }
  for (const gw of ingress) {
    if (!inScope(gw.namespace)) continue;
    const listeners: any[] = (Array.isArray(gw.manifest.spec?.listeners) ? gw.manifest.spec.listeners : []).filter((l: any) => l?.protocol === 'HTTP' && Number.isInteger(l?.port));
    if (listeners.length === 0) continue;
    const rules = rulesAt(gw, ProxyKind.INGRESS);
    const paths: string[] = [];
    const urls: Array<{ url: string; host?: string }> = [];
    for (const l of listeners) {
      const base = `http://${gw.name}-istio.${gw.namespace}.svc.${clusterDomain}${l.port === 80 ? '' : `:${l.port}`}`;
      const routes = model.httpRoutes.filter((r) => routeAttachedTo(model, r, gw, String(l.name ?? '')));
      const listenerHosts = new Set<string>();
      for (const r of routes) {
        const spec = r.manifest.spec ?? {};
        for (const h of Array.isArray(spec.hostnames) ? spec.hostnames : []) if (typeof h === 'string') listenerHosts.add(h.replace(/^\*\./, 'probe.'));
        for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
          for (const m of Array.isArray(rule?.matches) ? rule.matches : []) {
            const type = m?.path?.type ?? 'PathPrefix';
            const v = str(m?.path?.value);
            if ((type === 'PathPrefix' || type === 'Exact') && v?.startsWith('/')) paths.push(v);
          }
          // what the gateway sends on is guarded at the backend's waypoint too, when the request goes through it
          for (const b of Array.isArray(rule?.backendRefs) ? rule.backendRefs : []) {
            const svc = (b?.kind ?? 'Service') === 'Service' ? model.services.get(key(str(b?.namespace) ?? r.namespace, String(b?.name ?? ''))) : undefined;
            if (svc) rules.push(...serviceRules(svc));
          }
        }
      }
      if (typeof l.hostname === 'string' && listenerHosts.size === 0) listenerHosts.add(l.hostname.replace(/^\*\./, 'probe.'));
      if (listenerHosts.size === 0) urls.push({ url: base });
      for (const h of [...listenerHosts].sort()) urls.push({ url: base, host: h });
    }
    out.push({ id: `Gateway ${gw.namespace}/${gw.name}`, namespace: gw.namespace, urls, paths, rules });
  }
  return out;
}

/**
 * The requests for one target from one client: `/` and every guarded path, with each method and credential
 * that matters. `noCredentialsOnly` keeps the requests without credentials (what a client from another
 * namespace adds: whether it is let in at all).
 */
export function targetProbes(t: ProbeTarget, from: string, clientNamespace: string, noCredentialsOnly = false): Probe[] {
  const paths = new Set<string>(['/', ...t.paths]);
  for (const r of t.rules) {
    const p = pathFor(r);
    if (p) paths.add(p);
  }
  const out: Probe[] = [];
  for (const { url, host } of t.urls) {
    for (const path of [...paths].sort()) {
      const matching = t.rules.filter((r) => ruleMatches(r, path));
      const methods = [...new Set(['GET', ...matching.flatMap((r) => r.methods)])].sort();
      for (const method of methods) {
        const guarding = matching.filter((r) => r.methods.includes(method));
        const creds: Array<{ kind: CredentialKind; header?: string; user?: string; source?: string }> = [{ kind: 'none' }];
        if (guarding.length > 0 && !noCredentialsOnly) {
          creds.push({ kind: 'invalid', header: INVALID_CREDENTIAL });
          const seen = new Set<string>();
          for (const r of guarding) {
            for (const c of r.credentials) {
              if (seen.has(c.token)) continue;
              seen.add(c.token);
              creds.push({ kind: 'valid', header: `Basic ${c.token}`, user: c.user, source: r.source });
            }
          }
        }
        for (const c of creds) {
          const headers: Array<[string, string]> = [];
          if (host) headers.push(['Host', host]);
          if (c.header) headers.push(['Authorization', c.header]);
          const request: SimulationRequest = { from, method, url: `${url}${path}`, headers };
          out.push({
            key: `${from}\u0000${method}\u0000${url}${path}\u0000${host ?? ''}\u0000${c.header ?? ''}`,
            target: t.id, targetNamespace: t.namespace, clientNamespace, request, path, credentials: c.kind,
            ...(c.user !== undefined ? { credentialUser: c.user, credentialSource: c.source } : {}),
          });
        }
      }
    }
  }
  return out;
}
