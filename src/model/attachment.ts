/**
 * Where a WasmPlugin runs (SEMANTICS §4): the places each target reference leads to, and the attachment
 * predicate `attach(P, X, S)` for one proxy X and one chain (Service S, or none). The rules ask the first
 * ("does this plugin apply anywhere?"), the simulator the second ("does it run on this hop?"); both read
 * the same resolution, so they cannot disagree.
 */
import { Entry, INGRESS_CLASS, MeshModel, WAYPOINT_CLASS } from './mesh-model';
import { GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, canonicalGroup, key } from './manifest';
import { Binding, resolveWaypoint } from './waypoint-binding';

/** Gateway classes whose proxies istiod configures (and so run Wasm). */
export const ISTIO_GATEWAY_CLASSES: readonly string[] = [INGRESS_CLASS, WAYPOINT_CLASS, 'istio-east-west'];

/** The most targets the CRD allows. */
export const MAX_TARGETS = 16;

/** Label istiod puts on the pods of every Gateway it deploys; proxies without it ignore targeted plugins. */
export const LABEL_GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';

/** A target ref as Istio reads it, with the field it came from. */
export interface TargetRef {
  readonly field: string;
  /** Canonical group: `core` for `""` or absent. */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** `targetRefs` when non-empty, else the legacy `targetRef`, else none (Istio's `GetTargetRefs`). */
export function targetRefsOf(spec: any): TargetRef[] {
  const read = (r: any, field: string): TargetRef => ({
    field, group: canonicalGroup(r?.group), kind: typeof r?.kind === 'string' ? r.kind : '',
    name: typeof r?.name === 'string' ? r.name : '', namespace: typeof r?.namespace === 'string' ? r.namespace : undefined,
  });
  if (Array.isArray(spec?.targetRefs) && spec.targetRefs.length > 0) {
    return spec.targetRefs.map((r: any, i: number) => read(r, `spec.targetRefs[${i}]`));
  }
  if (spec?.targetRef && typeof spec.targetRef === 'object') return [read(spec.targetRef, 'spec.targetRef')];
  return [];
}

/**
 * The spec fields attachment reads (targetRefs, targetRef, selector). A TrafficExtension has no singular
 * targetRef (TrafficExtensionWrapper.GetTargetRef returns nil in pilot/pkg/model/extensions.go), so a stray one
 * is not read.
 */
export function attachmentSpecOf(plugin: Entry): any {
  const spec = plugin.manifest.spec ?? {};
  if (plugin.kind !== 'TrafficExtension' || spec.targetRef === undefined) return spec;
  const { targetRef: _ignored, ...rest } = spec;
  return rest;
}

/** The kinds a plugin can target, with the group each must carry (after `""` → `core`). */
export const TARGET_KINDS: ReadonlyArray<readonly [string, string]> = [
  ['Service', 'core'], ['ServiceEntry', ISTIO_NETWORKING_GROUP], ['Gateway', GATEWAY_GROUP], ['GatewayClass', GATEWAY_GROUP],
];

/** The group a target kind needs, or undefined when Istio never attaches to that kind. */
export function targetGroupFor(kind: string): string | undefined {
  return TARGET_KINDS.find(([k]) => k === kind)?.[1];
}

/** Whether a ref "is Kind K": canonical group and exact, case-sensitive kind (Istio's `matchesGroupKind`). */
export function refIs(ref: TargetRef, kind: string): boolean {
  return ref.kind === kind && targetGroupFor(kind) === ref.group;
}

/** What kind of proxy a Gateway deploys. */
export enum ProxyKind {
  WAYPOINT = 'waypoint',
  INGRESS = 'ingress',
}

/** The proxy kind of an Istio-run Gateway, undefined for classes Istio does not run. */
export function proxyKindOf(model: MeshModel, gw: Entry): ProxyKind | undefined {
  const cls = model.gatewayClassName(gw);
  if (cls === WAYPOINT_CLASS) return ProxyKind.WAYPOINT;
  return ISTIO_GATEWAY_CLASSES.includes(cls) ? ProxyKind.INGRESS : undefined;
}

/** A chain a plugin can run on: a proxy (an Istio-run Gateway) and, at a waypoint, the Service the chain is for. */
export interface Place {
  readonly proxy: Entry;
  readonly kind: ProxyKind;
  /** The Service or ServiceEntry whose waypoint chain this is; absent for a whole proxy. */
  readonly service?: Entry;
}

/** Why a target reference leads nowhere. */
export enum DeadRefReason {
  /** `namespace` set on the ref (CEL forbids it; Istio never matches another namespace). */
  CROSS_NAMESPACE = 'cross-namespace',
  /** group/kind pair Istio does not attach to (wrong group, or unsupported kind). */
  UNSUPPORTED_KIND = 'unsupported-kind',
  /** No Gateway of that name in the plugin's namespace. */
  MISSING_GATEWAY = 'missing-gateway',
  /** The Gateway exists but is of a class Istio does not run. */
  FOREIGN_GATEWAY = 'foreign-gateway',
  /** No Service / ServiceEntry of that name in the plugin's namespace. */
  MISSING_SERVICE = 'missing-service',
  /** The Service exists but no waypoint serves its traffic (see `binding`). */
  NO_WAYPOINT = 'no-waypoint',
  /** GatewayClass other than `istio-waypoint`. */
  WRONG_GATEWAY_CLASS = 'wrong-gateway-class',
  /** GatewayClass target from a namespace other than the root namespace. */
  NOT_ROOT_NAMESPACE = 'not-root-namespace',
}

/** Where one target reference leads: the places it attaches to, or why there are none. */
export interface RefResolution {
  readonly ref: TargetRef;
  readonly places: Place[];
  readonly dead?: DeadRefReason;
  /** The object the ref named, when it exists. */
  readonly target?: Entry;
  /** For Service / ServiceEntry refs: how the waypoint was (not) found. */
  readonly binding?: Binding;
}

/** Resolves one target ref of `plugin` against the model (SEMANTICS §4.4, cases B and C). */
export function resolveTargetRef(model: MeshModel, plugin: Entry, ref: TargetRef): RefResolution {
  const ns = plugin.namespace;
  if (ref.namespace !== undefined && ref.namespace !== '') return { ref, places: [], dead: DeadRefReason.CROSS_NAMESPACE };
  const group = targetGroupFor(ref.kind);
  if (group === undefined || group !== ref.group) return { ref, places: [], dead: DeadRefReason.UNSUPPORTED_KIND };
  switch (ref.kind) {
    case 'Gateway': {
      const gw = model.gateways.get(key(ns, ref.name));
      if (!gw) return { ref, places: [], dead: DeadRefReason.MISSING_GATEWAY };
      const kind = proxyKindOf(model, gw);
      if (kind === undefined) return { ref, places: [], dead: DeadRefReason.FOREIGN_GATEWAY, target: gw };
      return { ref, places: [{ proxy: gw, kind }], target: gw };
    }
    case 'Service':
    case 'ServiceEntry': {
      const index = ref.kind === 'Service' ? model.services : model.serviceEntries;
      const svc = index.get(key(ns, ref.name));
      if (!svc) return { ref, places: [], dead: DeadRefReason.MISSING_SERVICE };
      const binding = resolveWaypoint(model, svc, 'service');
      if (!binding.waypoint) return { ref, places: [], dead: DeadRefReason.NO_WAYPOINT, target: svc, binding };
      return { ref, places: [{ proxy: binding.waypoint, kind: ProxyKind.WAYPOINT, service: svc }], target: svc, binding };
    }
    case 'GatewayClass': {
      if (ref.name !== WAYPOINT_CLASS) return { ref, places: [], dead: DeadRefReason.WRONG_GATEWAY_CLASS };
      if (ns !== model.rootNamespace) return { ref, places: [], dead: DeadRefReason.NOT_ROOT_NAMESPACE };
      // every waypoint of the mesh
      return { ref, places: model.waypoints().map((proxy) => ({ proxy, kind: ProxyKind.WAYPOINT })) };
    }
    default:
      return { ref, places: [], dead: DeadRefReason.UNSUPPORTED_KIND };
  }
}

/** Every target ref of a plugin, resolved (refs past the 16th are ignored, as the API server would refuse them). */
export function resolveTargets(model: MeshModel, plugin: Entry): RefResolution[] {
  return targetRefsOf(attachmentSpecOf(plugin)).slice(0, MAX_TARGETS).map((ref) => resolveTargetRef(model, plugin, ref));
}

/** The outcome of the attachment predicate, with the reason in words. */
export interface AttachDecision {
  readonly attached: boolean;
  readonly reason: string;
  /** The ref that matched, when attached through targets. */
  readonly ref?: TargetRef;
}

function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  const wanted = selector?.matchLabels;
  if (!wanted || typeof wanted !== 'object') return true;
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** Labels of the pods istiod deploys for a Gateway: its own labels (copied) plus the gateway-name label. */
export function proxyPodLabels(gw: Entry): Record<string, string> {
  const own = gw.manifest.metadata?.labels;
  return { ...(own && typeof own === 'object' ? own : {}), [LABEL_GATEWAY_NAME]: gw.name };
}

/**
 * Whether `plugin` runs on `place` (SEMANTICS §4.3 candidates and §4.4 predicate B/C). `place.service` is the
 * Service or ServiceEntry whose waypoint chain carries the request; omit it for the direct-workload chain or an
 * ingress gateway.
 */
export function attaches(model: MeshModel, plugin: Entry, place: Place): AttachDecision {
  const pns = plugin.namespace;
  const n = place.proxy.namespace;
  const candidates = [n, model.rootNamespace, ...(place.kind === ProxyKind.WAYPOINT && place.service ? [place.service.namespace] : [])];
  if (!candidates.includes(pns)) {
    return { attached: false, reason: `lives in namespace ${pns}, which the proxy ${n}/${place.proxy.name} does not read plugins from` };
  }
  const spec = attachmentSpecOf(plugin);
  const refs = targetRefsOf(spec);
  if (refs.length === 0) {
    if (place.kind === ProxyKind.WAYPOINT) return { attached: false, reason: 'has no targetRefs, and waypoints ignore selector-based plugins' };
    // Gateway-API ingress honours selectors (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, default true)
    if (!selectorMatches(spec.selector, proxyPodLabels(place.proxy))) {
      return { attached: false, reason: `selector ${JSON.stringify(spec.selector?.matchLabels ?? {})} does not match the gateway pods` };
    }
    return { attached: true, reason: spec.selector ? 'selector matches the gateway pods' : `has neither selector nor targets, so it covers every gateway in namespace ${pns}` };
  }
  for (const ref of refs.slice(0, MAX_TARGETS)) {
    if (ref.namespace !== undefined && ref.namespace !== '' && ref.namespace !== n) continue;
    if (place.kind === ProxyKind.INGRESS) {
      if (refIs(ref, 'Gateway') && ref.name === place.proxy.name && pns === n) return { attached: true, reason: `targets Gateway ${ref.name}`, ref };
      continue;
    }
    const s = place.service;
    if (s && refIs(ref, 'Service') && s.kind === 'Service' && ref.name === s.name && pns === s.namespace) {
      return { attached: true, reason: `targets Service ${ref.name}, whose traffic this chain carries`, ref };
    }
    if (s && refIs(ref, 'ServiceEntry') && s.kind === 'ServiceEntry' && ref.name === s.name && pns === s.namespace) {
      return { attached: true, reason: `targets ServiceEntry ${ref.name}, whose traffic this chain carries`, ref };
    }
    if (refIs(ref, 'GatewayClass') && ref.name === WAYPOINT_CLASS && pns === model.rootNamespace) {
      return { attached: true, reason: `targets GatewayClass ${WAYPOINT_CLASS} from the root namespace: every waypoint`, ref };
    }
    if (refIs(ref, 'Gateway') && ref.name === place.proxy.name && pns === n) return { attached: true, reason: `targets waypoint ${ref.name}`, ref };
  }
  const what = place.service ? `the ${place.service.kind} ${place.service.namespace}/${place.service.name} chain of ` : '';
  return { attached: false, reason: `no target reference names ${what}${place.kind} ${n}/${place.proxy.name}` };
}

/** How a listener matches `spec.match` entries (SEMANTICS §4.5). */
export interface ListenerMatch {
  /** `CLIENT` for ingress gateways, `SERVER` for waypoints. */
  readonly mode: 'CLIENT' | 'SERVER';
  /** The port compared with `ports`: the listener port at ingress, 0 on a waypoint's HTTP chains. */
  readonly port: number;
}

/** The listener a place's HTTP traffic is matched as: ingress CLIENT on its listener port, waypoint SERVER on port 0. */
export function httpListenerMatch(kind: ProxyKind, listenerPort: number): ListenerMatch {
  return kind === ProxyKind.WAYPOINT ? { mode: 'SERVER', port: 0 } : { mode: 'CLIENT', port: listenerPort };
}

/** Whether `spec.match` lets the plugin run on that listener: empty passes, else some entry's mode and ports fit. */
export function matchPasses(match: unknown, listener: ListenerMatch): boolean {
  if (!Array.isArray(match) || match.length === 0) return true;
  return match.some((m: any) => {
    const mode = m?.mode ?? 'UNDEFINED';
    const modeOk = mode === 'UNDEFINED' || mode === 'CLIENT_AND_SERVER' || mode === listener.mode;
    const ports: any[] = Array.isArray(m?.ports) ? m.ports : [];
    const portOk = ports.length === 0 || ports.some((p) => p?.number === listener.port);
    return modeOk && portOk;
  });
}
