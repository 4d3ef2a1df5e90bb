/**
 * Which listeners a route attaches to, as istiod decides it (`pilot/pkg/config/kube/gateway/conversion.go`
 * `extractParentReferenceInfo`, `referenceAllowed`, `hostnameAllowedByIsolation`), and the virtual hosts a gateway's
 * routes make on each port (`route_collections.go` one VirtualService per listener and route hostname,
 * `pilot/pkg/networking/core/gateway.go` `buildGatewayHTTPRouteConfig`).
 */
import { Entry, MeshModel } from './mesh-model';
import { GATEWAY_GROUP, key } from './manifest';
import { hostIntersection, hostSubsetOf, hostsOverlap } from './hostnames';
import { GatewayListener, Verdict, isIstioIngress, listenerAdmitsNamespace, listenersOf, supportedKinds } from './listeners';
import { GATEWAY_CONTROLLER } from './gateway-class';
import { merged } from './merged';

/** Route kinds istiod turns into ingress HTTP configuration. */
export const HTTP_ROUTE_KINDS: readonly string[] = ['HTTPRoute', 'GRPCRoute'];

/** Why a parentRef, or one listener of it, takes no route. */
export enum AttachFailure {
  /** No Gateway of that name in the manifests. */
  NO_GATEWAY = 'no-gateway',
  /** `sectionName` or `port` names no listener of the Gateway (istiod: NotAccepted). */
  NO_LISTENER = 'no-listener',
  /** None of the route's hostnames overlaps the listener's hostname (istiod: NoMatchingListenerHostname). */
  NO_HOSTNAME = 'no-hostname',
  /** The listener's `allowedRoutes.namespaces` refuses the route's namespace (istiod: NotAllowedByListeners). */
  NAMESPACE_NOT_ALLOWED = 'namespace-not-allowed',
  /** The listener's protocol or `allowedRoutes.kinds` refuses the route's kind (istiod: NotAllowedByListeners). */
  KIND_NOT_ALLOWED = 'kind-not-allowed',
}

/** One listener of a parent Gateway, and whether the route attaches there. */
export interface ListenerAttachment {
  readonly listener: GatewayListener;
  readonly verdict: Verdict;
  readonly failure?: AttachFailure;
  readonly why: string;
}

/** One `spec.parentRefs` entry of a route, resolved against the model. */
export interface ParentRefResolution {
  readonly field: string;
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
  /** The Gateway named, when it is among the manifests. */
  readonly gateway?: Entry;
  /**
   * False for parents this resolution does not judge: mesh parents (Service, ServiceEntry), other kinds, Gateways
   * istiod does not run as ingress, and a Gateway outside the manifests that the route's status gives to another
   * controller.
   */
  readonly ingress: boolean;
  /** Set when the ref attaches nowhere for one reason (no Gateway; no listener by sectionName/port). */
  readonly failure?: AttachFailure;
  /** Every listener of the Gateway, with the outcome there (empty when `gateway` is undefined). */
  readonly listeners: ListenerAttachment[];
  /** `yes` when some listener accepts the route, `unknown` when the best is unknown. */
  readonly verdict: Verdict;
  readonly why: string;
}

/** The route's hostnames (empty: any). */
export function routeHostnames(route: Entry): string[] {
  const h = route.manifest.spec?.hostnames;
  return Array.isArray(h) ? h.filter((x: unknown) => typeof x === 'string').map((x: string) => x.toLowerCase()) : [];
}

function refOf(raw: any, route: Entry) {
  return {
    group: raw?.group ?? GATEWAY_GROUP, kind: raw?.kind ?? 'Gateway',
    namespace: typeof raw?.namespace === 'string' && raw.namespace !== '' ? raw.namespace : route.namespace,
    name: String(raw?.name ?? ''),
    sectionName: typeof raw?.sectionName === 'string' && raw.sectionName !== '' ? raw.sectionName : undefined,
    port: typeof raw?.port === 'number' && raw.port !== 0 ? raw.port : undefined,
  };
}

/** Whether the route (of its kind, in its namespace, with its hostnames) attaches to listener `l` (`referenceAllowed`). */
export function attachesToListener(model: MeshModel, route: Entry, gw: Entry, l: GatewayListener, ref: { sectionName?: string; port?: number }): ListenerAttachment {
  if (ref.port !== undefined && ref.port !== l.port) {
    return { listener: l, verdict: 'no', failure: AttachFailure.NO_LISTENER, why: `port ${ref.port} is not listener ${l.name}'s port ${l.port}` };
  }
  if (ref.sectionName !== undefined && ref.sectionName !== l.name) {
    return { listener: l, verdict: 'no', failure: AttachFailure.NO_LISTENER, why: `sectionName ${JSON.stringify(ref.sectionName)} is not listener ${l.name}` };
  }
  const hostnames = routeHostnames(route);
  const routeHosts = hostnames.length > 0 ? hostnames : ['*'];
  const listenerHost = l.hostname ?? '*';
  // a route hostname must overlap the listener's; the namespace check rides on the listener's host list in istiod
  if (!routeHosts.some((h) => hostsOverlap(listenerHost, h))) {
    return { listener: l, verdict: 'no', failure: AttachFailure.NO_HOSTNAME,
      why: `none of the route's hostnames ${JSON.stringify(hostnames)} matches listener ${l.name}'s hostname ${JSON.stringify(l.hostname)}` };
  }
  const admit = listenerAdmitsNamespace(model, gw, l, route.namespace);
  if (admit.verdict !== 'yes') {
    return { listener: l, verdict: admit.verdict, failure: admit.verdict === 'no' ? AttachFailure.NAMESPACE_NOT_ALLOWED : undefined, why: admit.why };
  }
  const kinds = supportedKinds(l).kinds;
  if (!kinds.some((k) => k.kind === route.kind && k.group === route.group)) {
    return { listener: l, verdict: 'no', failure: AttachFailure.KIND_NOT_ALLOWED,
      why: `listener ${l.name} (${l.protocol}) admits ${kinds.map((k) => k.kind).join(', ') || 'no route kind'}, not ${route.kind}` };
  }
  return { listener: l, verdict: 'yes', why: `attached to listener ${l.name}` };
}

type ParentRefKey = ReturnType<typeof refOf>;

/**
 * The controller other than istiod that reports on this parentRef in the route's own `status.parents`, if any.
 * istiod keeps the entries of other controllers and writes none for a parent it does not have (`conditions.go`
 * `createRouteStatus`, "Only consider our own"; `testdata/status.status.yaml.golden`), so such a parent is another
 * controller's Gateway, not a missing one.
 */
function otherController(route: Entry, ref: ParentRefKey): string | undefined {
  const parents: any[] = Array.isArray(route.manifest.status?.parents) ? route.manifest.status.parents : [];
  for (const p of parents) {
    const c = p?.controllerName;
    if (typeof c !== 'string' || c === '' || c === GATEWAY_CONTROLLER) continue;
    const r = refOf(p?.parentRef, route);
    if (r.group === ref.group && r.kind === ref.kind && r.namespace === ref.namespace && r.name === ref.name
      && r.sectionName === ref.sectionName && r.port === ref.port) return c;
  }
  return undefined;
}

const parentCache = new WeakMap<Entry, ParentRefResolution[]>();

/** Every parentRef of an HTTPRoute or GRPCRoute, resolved (memoised per route entry). */
export function resolveParentRefs(model: MeshModel, route: Entry): ParentRefResolution[] {
  const cached = parentCache.get(route);
  if (cached) return cached;
  const raw: any[] = Array.isArray(route.manifest.spec?.parentRefs) ? route.manifest.spec.parentRefs : [];
  const out = raw.map((r, i): ParentRefResolution => {
    const field = `spec.parentRefs[${i}]`;
    const ref = refOf(r, route);
    const base = { field, namespace: ref.namespace, name: ref.name, sectionName: ref.sectionName, port: ref.port };
    const resolved = (more: Omit<ParentRefResolution, keyof typeof base>): ParentRefResolution => merged(base, more);
    if (ref.group !== GATEWAY_GROUP || ref.kind !== 'Gateway') {
      return resolved({ ingress: false, listeners: [], verdict: 'no', why: `parent ${ref.group || 'core'}/${ref.kind} is not an ingress Gateway` });
    }
    const gw = model.gateways.get(key(ref.namespace, ref.name));
    if (!gw) {
      const other = otherController(route, ref);
      if (other !== undefined) {
        return resolved({ ingress: false, listeners: [], verdict: 'no',
          why: `Gateway ${ref.namespace}/${ref.name} is not among the manifests, and the route's status shows controller ${other} handles it` });
      }
      return resolved({ ingress: true, failure: AttachFailure.NO_GATEWAY, listeners: [], verdict: 'no', why: `Gateway ${ref.namespace}/${ref.name} is not among the manifests` });
    }
    if (!isIstioIngress(model, gw)) {
      return resolved({ gateway: gw, ingress: false, listeners: [], verdict: 'no', why: `Gateway ${gw.namespace}/${gw.name} is of class ${JSON.stringify(model.gatewayClassName(gw))}, not run as an Istio ingress` });
    }
    const listeners = listenersOf(gw).map((l) => attachesToListener(model, route, gw, l, ref));
    const selected = listeners.filter((a) => a.failure !== AttachFailure.NO_LISTENER);
    if (selected.length === 0) {
      const what = [ref.sectionName !== undefined ? `sectionName ${JSON.stringify(ref.sectionName)}` : '', ref.port !== undefined ? `port ${ref.port}` : ''].filter(Boolean).join(' and ');
      return resolved({ gateway: gw, ingress: true, failure: AttachFailure.NO_LISTENER, listeners, verdict: 'no',
        why: `Gateway ${gw.namespace}/${gw.name} has no listener with ${what || 'any name'} (it has ${listenersOf(gw).map((l) => `${l.name}/${l.port}`).join(', ') || 'none'})` });
    }
    const verdict: Verdict = selected.some((a) => a.verdict === 'yes') ? 'yes' : selected.some((a) => a.verdict === 'unknown') ? 'unknown' : 'no';
    const why = verdict === 'yes' ? selected.filter((a) => a.verdict === 'yes').map((a) => a.why).join('; ') : selected.map((a) => a.why).join('; ');
    return resolved({ gateway: gw, ingress: true, listeners, verdict, why });
  });
  parentCache.set(route, out);
  return out;
}

/**
 * Whether `route` attaches to Gateway `gw` (to the listener named `listenerName`, when given), as istiod decides it;
 * `unknown` attachments count as not attached.
 */
export function routeAttachedTo(model: MeshModel, route: Entry, gw: Entry, listenerName?: string): boolean {
  return resolveParentRefs(model, route).some((p) => p.gateway === gw
    && p.listeners.some((a) => a.verdict === 'yes' && (listenerName === undefined || a.listener.name === listenerName)));
}

const routeIndex = new WeakMap<MeshModel, Map<string, Entry[]>>();

/**
 * HTTPRoutes and GRPCRoutes whose parentRefs name Gateway `ns/name`, in input order (built once per model). Two
 * manifests of one route (kind, namespace and name) are one object in the cluster, the one applied last: only the
 * later of them is listed (Istio's samples hold such alternatives, in bookinfo and ambient-argo).
 */
export function routesNaming(model: MeshModel, gw: Entry): Entry[] {
  let idx = routeIndex.get(model);
  if (!idx) {
    idx = new Map();
    const last = new Map<string, Entry>();
    for (const e of model.entries) if (e.group === GATEWAY_GROUP && HTTP_ROUTE_KINDS.includes(e.kind)) last.set(`${e.kind}/${key(e.namespace, e.name)}`, e);
    for (const e of model.entries) {
      if (last.get(`${e.kind}/${key(e.namespace, e.name)}`) !== e) continue;
      if (e.group !== GATEWAY_GROUP || !HTTP_ROUTE_KINDS.includes(e.kind)) continue;
      const refs: any[] = Array.isArray(e.manifest.spec?.parentRefs) ? e.manifest.spec.parentRefs : [];
      const names = new Set(refs.map((r) => refOf(r, e)).filter((r) => r.group === GATEWAY_GROUP && r.kind === 'Gateway').map((r) => key(r.namespace, r.name)));
      for (const n of names) {
        const list = idx.get(n);
        if (list) list.push(e); else idx.set(n, [e]);
      }
    }
    routeIndex.set(model, idx);
  }
  return idx.get(key(gw.namespace, gw.name)) ?? [];
}

/** One route's contribution to a virtual host: the route, the listener it came through, the VirtualService host. */
export interface VirtualHostRoute {
  readonly route: Entry;
  readonly listener: GatewayListener;
  /** The VirtualService host istiod makes: a route hostname, or `*` for a route without hostnames. */
  readonly vsHost: string;
  /** istiod's merge key (listener + host): rules of one key are sorted together; different keys are not. */
  readonly mergeKey: string;
  /** The attachment was `unknown` (e.g. a namespace selector on a Namespace outside the manifests). */
  readonly uncertain?: string;
}

/**
 * Whether istiod keeps a route hostname on a listener, given the other listeners on the same port and protocol
 * (`hostnameAllowedByIsolation`): a wildcard (or empty) listener does not take hostnames a more exact listener owns.
 */
export function hostnameAllowedByIsolation(routeHost: string, ours: GatewayListener, others: GatewayListener[]): boolean {
  const our = ours.hostname ?? '';
  if (our !== '' && our[0] !== '*') return true;
  if (our !== '' && !hostsOverlap(routeHost, our)) return false;
  const banned = new Set(others.filter((o) => o !== ours && o.port === ours.port && o.protocol === ours.protocol).map((o) => o.hostname ?? ''));
  banned.delete(our);
  for (const check of banned) {
    if (our.length > check.length) continue;
    if (hostSubsetOf(routeHost, check)) return false;
  }
  return true;
}

/**
 * The virtual hosts of `listeners` (of one Gateway): domain → routes that serve it. Plain-HTTP listeners on one port
 * share one route table in Envoy, so pass them together; an HTTPS listener has its own.
 */
export function virtualHosts(model: MeshModel, gw: Entry, listeners: GatewayListener[]): Map<string, VirtualHostRoute[]> {
  const all = listenersOf(gw);
  const out = new Map<string, VirtualHostRoute[]>();
  for (const route of routesNaming(model, gw)) {
    for (const pr of resolveParentRefs(model, route)) {
      if (pr.gateway !== gw) continue;
      for (const a of pr.listeners) {
        if (a.verdict === 'no' || !listeners.includes(a.listener)) continue;
        const hostnames = routeHostnames(route);
        for (const vsHost of hostnames.length > 0 ? hostnames : ['*']) {
          if (!hostnameAllowedByIsolation(vsHost, a.listener, all)) continue;
          const domain = hostIntersection(a.listener.hostname ?? '*', vsHost);
          if (domain === undefined) continue;
          const entry: VirtualHostRoute = { route, listener: a.listener, vsHost, mergeKey: `${a.listener.name}/${vsHost}`,
            ...(a.verdict === 'unknown' ? { uncertain: a.why } : {}) };
          const list = out.get(domain);
          // the same route through two parentRefs to one listener is one VirtualService
          if (list) { if (!list.some((x) => x.route === route && x.mergeKey === entry.mergeKey)) list.push(entry); } else out.set(domain, [entry]);
        }
      }
    }
  }
  return out;
}
