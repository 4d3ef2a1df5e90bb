/**
 * Where a WasmPlugin runs (SEMANTICS §4): the places each target reference leads to, and the attachment
 * predicate `attach(P, X, S)` for one proxy X and one chain (Service S, or none). The rules ask the first
 * ("does this plugin apply anywhere?"), the simulator the second ("does it run on this hop?"); both read
 * the same resolution, so they cannot disagree.
 */
import { Entry, INGRESS_CLASS, MeshModel, WAYPOINT_CLASS } from './mesh-model';
import { GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, canonicalGroup, key, labelsOf, podLabelsOf } from './manifest';
import { Binding, resolveWaypoint } from './waypoint-binding';
import { EAST_WEST_CLASS_NAME, GatewayRole } from './gateway-class';
import { hasNoVip } from './protocol';

/**
 * The built-in class names of the gateways istiod runs. Kept for callers that show the usual names; whether
 * Istio runs a Gateway is decided by its GatewayClass's controllerName ({@link MeshModel.gatewayRole}).
 */
export const ISTIO_GATEWAY_CLASSES: readonly string[] = [INGRESS_CLASS, WAYPOINT_CLASS, EAST_WEST_CLASS_NAME];

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

/**
 * `targetRefs` when non-empty, else the legacy `targetRef`, else none (Istio's `GetTargetRefs`). A
 * TrafficExtension has no singular form (its wrapper's `GetTargetRef` is nil): pass its kind to ignore one.
 */
export function targetRefsOf(spec: any, kind = 'WasmPlugin'): TargetRef[] {
  const read = (r: any, field: string): TargetRef => ({
    field, group: canonicalGroup(r?.group), kind: typeof r?.kind === 'string' ? r.kind : '',
    name: typeof r?.name === 'string' ? r.name : '', namespace: typeof r?.namespace === 'string' ? r.namespace : undefined,
  });
  if (Array.isArray(spec?.targetRefs) && spec.targetRefs.length > 0) {
    return spec.targetRefs.map((r: any, i: number) => read(r, `spec.targetRefs[${i}]`));
  }
  if (kind !== 'TrafficExtension' && spec?.targetRef && typeof spec.targetRef === 'object') return [read(spec.targetRef, 'spec.targetRef')];
  return [];
}

/** The target refs of a plugin entry (WasmPlugin or TrafficExtension). */
export function targetRefsOfEntry(plugin: Entry): TargetRef[] {
  return targetRefsOf(plugin.manifest.spec, plugin.kind);
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

/** What kind of proxy runs a chain. */
export enum ProxyKind {
  /** A waypoint (controller istio.io/mesh-controller). */
  WAYPOINT = 'waypoint',
  /** A Gateway API ingress gateway istiod deploys (controller istio.io/gateway-controller). */
  INGRESS = 'ingress',
  /** An ambient east-west gateway: a waypoint-type proxy with TCP chains only, built without a Service. */
  EAST_WEST = 'east-west',
  /**
   * A proxy known by its pod labels only: a sidecar or a classic (Helm) gateway. `Place.proxy` is then the
   * Pod or workload whose pod labels it carries.
   */
  WORKLOAD = 'workload',
}

/** The proxy kind of an Istio-run Gateway, undefined for Gateways Istio does not run. */
export function proxyKindOf(model: MeshModel, gw: Entry): ProxyKind | undefined {
  switch (model.gatewayRole(gw)) {
    case GatewayRole.WAYPOINT: return ProxyKind.WAYPOINT;
    case GatewayRole.INGRESS: return ProxyKind.INGRESS;
    case GatewayRole.EAST_WEST: return ProxyKind.EAST_WEST;
    default: return undefined;
  }
}

/** Whether the proxy is of type waypoint (`IsWaypointProxy`): waypoints and east-west gateways. */
export function isWaypointKind(kind: ProxyKind): boolean {
  return kind === ProxyKind.WAYPOINT || kind === ProxyKind.EAST_WEST;
}

/** A chain a plugin can run on: a proxy and, at a waypoint, the Service the chain is for. */
export interface Place {
  readonly proxy: Entry;
  readonly kind: ProxyKind;
  /** The Service or ServiceEntry whose waypoint chain this is; absent for a whole proxy or a chain built without one. */
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
  /** The Service is headless (no VIP): its waypoint builds no reachable chain for it (listener_waypoint.go). */
  HEADLESS = 'headless',
  /** The Service is bound to an east-west gateway, whose chains are built without a Service. */
  EAST_WEST_SERVICE = 'east-west-service',
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
      if (hasNoVip(svc)) return { ref, places: [], dead: DeadRefReason.HEADLESS, target: svc, binding };
      if (model.gatewayRole(binding.waypoint) === GatewayRole.EAST_WEST) return { ref, places: [], dead: DeadRefReason.EAST_WEST_SERVICE, target: svc, binding };
      return { ref, places: [{ proxy: binding.waypoint, kind: ProxyKind.WAYPOINT, service: svc }], target: svc, binding };
    }
    case 'GatewayClass': {
      if (ref.name !== WAYPOINT_CLASS) return { ref, places: [], dead: DeadRefReason.WRONG_GATEWAY_CLASS };
      if (ns !== model.rootNamespace) return { ref, places: [], dead: DeadRefReason.NOT_ROOT_NAMESPACE };
      // every waypoint-type proxy of the mesh (the code checks IsWaypointProxy, not the class)
      return { ref, places: model.waypoints().map((proxy) => ({ proxy, kind: proxyKindOf(model, proxy)! })) };
    }
    default:
      return { ref, places: [], dead: DeadRefReason.UNSUPPORTED_KIND };
  }
}

/** Every target ref of a plugin, resolved (refs past the 16th are ignored, as the API server would refuse them). */
export function resolveTargets(model: MeshModel, plugin: Entry): RefResolution[] {
  return targetRefsOfEntry(plugin).slice(0, MAX_TARGETS).map((ref) => resolveTargetRef(model, plugin, ref));
}

/** The outcome of the attachment predicate, with the reason in words. */
export interface AttachDecision {
  readonly attached: boolean;
  readonly reason: string;
  /** The ref that matched, when attached through targets. */
  readonly ref?: TargetRef;
}

/** `labels.Instance(selector.matchLabels).SubsetOf(labels)`: matchLabels only; none or empty matches all. */
export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  const wanted = selector?.matchLabels;
  if (!wanted || typeof wanted !== 'object') return true;
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

const MANAGED_LABEL_VALUE: Partial<Record<GatewayRole, string>> = {
  [GatewayRole.INGRESS]: 'istio.io-gateway-controller',
  [GatewayRole.WAYPOINT]: 'istio.io-mesh-controller',
  [GatewayRole.EAST_WEST]: 'istio.io-eastwest-controller',
};

/**
 * Labels of the pods istiod deploys for a Gateway (files/kube-gateway.yaml, files/waypoint.yaml): its labels
 * (or `spec.infrastructure.labels` when set), `istio.io/dataplane-mode: none`, the canonical-name labels,
 * `gateway.networking.k8s.io/gateway-name`, `-class-name` and `gateway.istio.io/managed`.
 */
export function proxyPodLabels(gw: Entry, model?: MeshModel): Record<string, string> {
  const infra = gw.manifest.spec?.infrastructure;
  const copied = infra && typeof infra === 'object' && infra.labels && typeof infra.labels === 'object'
    ? labelsOf({ metadata: { labels: infra.labels } }) : labelsOf(gw.manifest);
  const role = model?.gatewayRole(gw);
  const cls = typeof gw.manifest.spec?.gatewayClassName === 'string' ? gw.manifest.spec.gatewayClassName : '';
  const override = gw.manifest.metadata?.annotations?.['gateway.istio.io/name-override'];
  const deployment = typeof override === 'string' && override !== '' ? override : role === GatewayRole.INGRESS ? `${gw.name}-${cls}` : gw.name;
  const managed = role !== undefined ? MANAGED_LABEL_VALUE[role] : undefined;
  return {
    'sidecar.istio.io/inject': 'false',
    'service.istio.io/canonical-name': deployment,
    'service.istio.io/canonical-revision': 'latest',
    'istio.io/dataplane-mode': 'none',
    ...copied,
    [LABEL_GATEWAY_NAME]: gw.name,
    'gateway.networking.k8s.io/gateway-class-name': cls,
    ...(managed ? { 'gateway.istio.io/managed': managed } : {}),
  };
}

/** The labels the proxy of a place carries, which selectors are matched against. */
export function placeLabels(model: MeshModel, place: Place): Record<string, string> {
  return place.kind === ProxyKind.WORKLOAD ? podLabelsOf(place.proxy.manifest) ?? labelsOf(place.proxy.manifest) : proxyPodLabels(place.proxy, model);
}

/** The namespaces a proxy reads plugins from for a chain: its own, the root, then (waypoint-type) the Service's. */
export function candidateNamespaces(model: MeshModel, place: Place): string[] {
  const out = [place.proxy.namespace, model.rootNamespace];
  if (isWaypointKind(place.kind) && place.service) out.push(place.service.namespace);
  return [...new Set(out)];
}

/**
 * Whether `plugin` attaches to `place` (`TrafficExtensionsByListenerInfo`'s candidates, then
 * istio@1.30.3:pilot/pkg/model/policyattachment.go `ShouldAttachPolicy`). `place.service` is the Service or
 * ServiceEntry whose waypoint chain carries the request; omit it for the direct-workload chain, an ingress
 * gateway, an east-west gateway's chains or a workload proxy.
 */
export function attaches(model: MeshModel, plugin: Entry, place: Place): AttachDecision {
  const pns = plugin.namespace;
  const n = place.proxy.namespace;
  if (!candidateNamespaces(model, place).includes(pns)) {
    return { attached: false, reason: `lives in namespace ${pns}, which the proxy ${n}/${place.proxy.name} does not read plugins from` };
  }
  const spec = plugin.manifest.spec ?? {};
  const refs = targetRefsOfEntry(plugin);
  const labels = placeLabels(model, place);
  const gatewayName = labels[LABEL_GATEWAY_NAME];
  const isWaypoint = isWaypointKind(place.kind);
  if (gatewayName === undefined) {
    // a proxy without the gateway-name label: sidecars and classic gateways use selectors only
    if (refs.length > 0) return { attached: false, reason: 'has targetRefs, and a proxy without the gateway-name label ignores such plugins' };
    if (!selectorMatches(spec.selector, labels)) return { attached: false, reason: `selector ${JSON.stringify(spec.selector?.matchLabels ?? {})} does not match the proxy's pod labels` };
    return { attached: true, reason: spec.selector ? 'selector matches the proxy\'s pod labels' : `has neither selector nor targets, so it covers every such proxy in namespace ${pns}` };
  }
  if (refs.length === 0) {
    if (isWaypoint) return { attached: false, reason: 'has no targetRefs, and waypoint-type proxies ignore selector-based plugins' };
    if (!model.selectorBasedGatewayPolicy) return { attached: false, reason: 'has no targetRefs, and ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is off' };
    if (!selectorMatches(spec.selector, labels)) {
      return { attached: false, reason: `selector ${JSON.stringify(spec.selector?.matchLabels ?? {})} does not match the gateway pods` };
    }
    return { attached: true, reason: spec.selector ? 'selector matches the gateway pods' : `has neither selector nor targets, so it covers every gateway in namespace ${pns}` };
  }
  const s = place.service;
  for (const ref of refs.slice(0, MAX_TARGETS)) {
    if (isWaypoint && s && refIs(ref, 'Service') && s.kind === 'Service' && ref.name === s.name && pns === s.namespace) {
      return { attached: true, reason: `targets Service ${ref.name}, whose traffic this chain carries`, ref };
    }
    if (isWaypoint && s && refIs(ref, 'ServiceEntry') && s.kind === 'ServiceEntry' && ref.name === s.name && pns === s.namespace) {
      return { attached: true, reason: `targets ServiceEntry ${ref.name}, whose traffic this chain carries`, ref };
    }
    if (pns === model.rootNamespace && isWaypoint && refIs(ref, 'GatewayClass') && ref.name === WAYPOINT_CLASS) {
      return { attached: true, reason: `targets GatewayClass ${WAYPOINT_CLASS} from the root namespace: every waypoint-type proxy`, ref };
    }
    if (n !== pns) continue;
    if (!(ref.namespace === undefined || ref.namespace === '' || ref.namespace === n)) continue;
    if (refIs(ref, 'Gateway') && ref.name === gatewayName) return { attached: true, reason: `targets ${place.kind === ProxyKind.INGRESS ? 'Gateway' : place.kind} ${ref.name}`, ref };
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
  return isWaypointKind(kind) ? { mode: 'SERVER', port: 0 } : { mode: 'CLIENT', port: listenerPort };
}

/** Whether `spec.match` lets the plugin run on that listener: empty passes, else some entry's mode and ports fit. */
export function matchPasses(match: unknown, listener: ListenerMatch): boolean {
  if (!Array.isArray(match) || match.length === 0) return true;
  return match.some((m: any) => {
    const mode = m?.mode ?? 'UNDEFINED';
    const modeOk = mode === 'UNDEFINED' || mode === 'CLIENT_AND_SERVER' || mode === listener.mode;
    const ports: any[] = Array.isArray(m?.ports) ? m.ports : [];
    // a selector for port 0 never matches (`matchPorts`)
    const portOk = ports.length === 0 || ports.some((p) => p?.number !== 0 && p?.number === listener.port);
    return modeOk && portOk;
  });
}
