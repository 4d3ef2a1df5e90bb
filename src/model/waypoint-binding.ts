/**
 * Which waypoint serves an object, as istiod decides it (ambient `use-waypoint` labels, `waypoint-for`,
 * namespace admission). Readiness (status.addresses) cannot be known offline: an existing waypoint counts as ready.
 */
import { didYouMean } from './suggest';
import { Entry, MeshModel } from './mesh-model';
import { key, labelsOf, podLabelsOf } from './manifest';
import { GatewayRole, isWaypointType } from './gateway-class';
import { isExternalName } from './protocol';

export const LABEL_DATAPLANE_MODE = 'istio.io/dataplane-mode';
export const LABEL_USE_WAYPOINT = 'istio.io/use-waypoint';
export const LABEL_USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
export const LABEL_WAYPOINT_FOR = 'istio.io/waypoint-for';
export const LABEL_INGRESS_USE_WAYPOINT = 'istio.io/ingress-use-waypoint';
export const LABEL_MANAGED = 'gateway.istio.io/managed';

/** The traffic a waypoint accepts, from `istio.io/waypoint-for`. */
export type WaypointTraffic = 'service' | 'workload' | 'all' | 'none';

export const WAYPOINT_FOR_VALUES: readonly string[] = ['service', 'workload', 'all', 'none'];

/** What a binding is for: traffic addressed to a Service/ServiceEntry, or to a pod/workload address. */
export type BindingKind = 'service' | 'workload';

/** Why an object is not bound to a waypoint: one value per istiod outcome, for rules that report each differently. */
export enum BindingFailure {
  /** The object belongs to a waypoint or east-west gateway. */
  MANAGED = 'managed',
  /** `use-waypoint: none` on the object or inherited from its namespace. */
  OPTED_OUT = 'opted-out',
  /** No `use-waypoint` label on the object nor on its namespace. */
  NO_LABEL = 'no-label',
  /** The named Gateway does not exist. */
  MISSING_WAYPOINT = 'missing-waypoint',
  /**
   * The named Gateway is not a waypoint (nor an east-west gateway). istiod binds it anyway once it has an
   * address; no waypoint chain is built for the object.
   */
  NOT_A_WAYPOINT = 'not-a-waypoint',
  /** A Service of type ExternalName: the ambient index leaves it out. */
  EXTERNAL_NAME = 'external-name',
  /** The waypoint's `waypoint-for` takes no traffic of this kind (istiod: UnsupportedTrafficType). */
  TRAFFIC_TYPE = 'traffic-type',
  /** The waypoint's HBONE listener does not admit the namespace (istiod: AttachmentDenied). */
  NOT_ADMITTED = 'not-admitted',
}

export interface Binding {
  /** The waypoint Gateway, when the object is bound. */
  readonly waypoint?: Entry;
  /** Why there is none (when `waypoint` is undefined). */
  readonly failure?: BindingFailure;
  /** The Gateway the label named, when it exists (bound or not). */
  readonly named?: Entry;
  /** Where the binding came from, e.g. `Service label istio.io/use-waypoint`. */
  readonly via: string;
  /** Why the object has no waypoint (when `waypoint` is undefined). */
  readonly reason?: string;
  /** The label value that led there, for messages. */
  readonly value?: unknown;
  /** How to bind it, in the YAML's words. */
  readonly fix?: string;
  /** How to bind it, in the construct API's words. */
  readonly apiFix?: string;
}

/**
 * Traffic type a waypoint Gateway accepts (`gatewayToWaypointTransform`): its label, else its GatewayClass
 * object's label, else `service`.
 */
export function waypointTraffic(model: MeshModel, gw: Entry): { traffic: WaypointTraffic; raw?: string } {
  let raw: string | undefined = labelsOf(gw.manifest)[LABEL_WAYPOINT_FOR];
  if (raw === undefined) {
    const cls = model.gatewayClasses.get(model.gatewayClassName(gw));
    raw = cls ? labelsOf(cls.manifest)[LABEL_WAYPOINT_FOR] : undefined;
  }
  if (raw === undefined) return { traffic: 'service' };
  // any value istiod does not know behaves as "none"
  return { traffic: (WAYPOINT_FOR_VALUES.includes(raw) ? raw : 'none') as WaypointTraffic, raw };
}

function accepts(traffic: WaypointTraffic, kind: BindingKind): boolean {
  return traffic === 'all' || traffic === kind;
}

/** A Kubernetes LabelSelector (matchLabels and matchExpressions) against labels; malformed parts match nothing. */
export function matchesLabelSelector(labels: Record<string, string>, selector: any): boolean {
  if (!selector || typeof selector !== 'object') return true;
  const wanted = selector.matchLabels;
  if (wanted && typeof wanted === 'object') for (const [k, v] of Object.entries(wanted)) if (labels[k] !== v) return false;
  // hand-written YAML may hold anything here: a malformed expression matches nothing, it never throws
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!expr || typeof expr !== 'object' || typeof expr.key !== 'string') return false;
    const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
    const val = labels[expr.key];
    const values: unknown[] = Array.isArray(expr.values) ? expr.values : [];
    switch (expr.operator) {
      case 'In': if (!has || !values.includes(val)) return false; break;
      case 'NotIn': if (has && values.includes(val)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * Namespace admission of a waypoint (`makeAllowedRoutes`, `AllowsAttachmentFromNamespace`): the HBONE listener
 * (port 15008) decides; `from` absent or unknown means Same, `Selector` without a selector admits no namespace
 * (`LabelSelectorAsSelector(nil)` is Nothing), and without an HBONE listener only the waypoint's own namespace.
 */
export function waypointAdmits(model: MeshModel, waypoint: Entry, fromNamespace: string): { ok: boolean; from: string } {
  const listeners: any[] = Array.isArray(waypoint.manifest.spec?.listeners) ? waypoint.manifest.spec.listeners : [];
  const hbone = listeners.find((l) => l && l.protocol === 'HBONE' && l.port === 15008);
  const ns = hbone?.allowedRoutes?.namespaces;
  const from: string = typeof ns?.from === 'string' ? ns.from : 'Same';
  if (from === 'All') return { ok: true, from };
  if (from === 'Selector') {
    if (ns.selector === undefined || ns.selector === null) return { ok: false, from: 'Selector (no selector: admits no namespace)' };
    return { ok: matchesLabelSelector(model.namespaceLabels(fromNamespace) ?? {}, ns.selector), from };
  }
  return { ok: fromNamespace === waypoint.namespace, from };
}

/** The labels that bind an object: a Service's or ServiceEntry's own, a workload's pod template's. */
function bindingLabels(obj: Entry, kind: BindingKind): Record<string, string> {
  return kind === 'workload' ? podLabelsOf(obj.manifest) ?? labelsOf(obj.manifest) : labelsOf(obj.manifest);
}

/**
 * The waypoint that serves traffic addressed to `obj`, following istiod (waypoints.go `fetchWaypointForTarget`,
 * `fetchWaypointForService`, `fetchWaypointForWorkload`): the object's own `use-waypoint`, else its namespace's;
 * then namespace admission, then the traffic type. `kind` `service` reads a Service's or ServiceEntry's labels,
 * `workload` the pod labels of a Pod or workload. istiod binds any Gateway that has an address; when the named
 * Gateway is not a waypoint, the result says so with {@link BindingFailure.NOT_A_WAYPOINT} and `named`.
 */
export function resolveWaypoint(model: MeshModel, obj: Entry, kind: BindingKind = 'service'): Binding {
  // rules, the simulator and the graph ask for the same objects many times: one answer per model, object and kind
  let memo = BINDINGS.get(model);
  if (!memo) BINDINGS.set(model, memo = { service: new Map(), workload: new Map() });
  const byKind = memo[kind] ?? new Map();
  let b = byKind.get(obj);
  if (!b) {
    b = Object.freeze(bindingOf(model, obj, kind));
    byKind.set(obj, b);
  }
  return b;
}

const BINDINGS = new WeakMap<MeshModel, Record<BindingKind, Map<Entry, Binding>>>();

function bindingOf(model: MeshModel, obj: Entry, kind: BindingKind): Binding {
  const labels = bindingLabels(obj, kind);
  const what = kind === 'workload' && obj.kind !== 'Pod' ? `${obj.kind} pod template` : obj.kind;
  if (kind === 'service') {
    const managed = labels[LABEL_MANAGED];
    if (managed === 'istio.io-mesh-controller' || managed === 'istio.io-eastwest-controller') {
      return { failure: BindingFailure.MANAGED, via: `${obj.kind} label ${LABEL_MANAGED}`, reason: 'belongs to a waypoint or east-west gateway, which never gets a waypoint', value: managed };
    }
    if (isExternalName(obj)) {
      return { failure: BindingFailure.EXTERNAL_NAME, via: `${obj.kind} spec.type`, reason: 'is of type ExternalName, which the ambient index leaves out: no waypoint ever serves it', value: 'ExternalName',
        fix: 'address the external host with a ServiceEntry (with addresses) bound to a waypoint' };
    }
  }
  let name: string;
  let wpNs: string;
  let via: string;
  let inherited = false;
  if (labels[LABEL_USE_WAYPOINT] !== undefined) {
    name = labels[LABEL_USE_WAYPOINT];
    // present but empty counts: istiod then looks up "/<name>" and binds nothing
    wpNs = labels[LABEL_USE_WAYPOINT_NAMESPACE] ?? obj.namespace;
    via = `${what} label ${LABEL_USE_WAYPOINT}`;
    if (name === 'none') {
      return { failure: BindingFailure.OPTED_OUT, via, reason: `is opted out with ${LABEL_USE_WAYPOINT}: none`, value: name,
        fix: `remove the ${LABEL_USE_WAYPOINT}: none label from ${obj.kind} ${obj.namespace}/${obj.name} or target something else`,
        apiFix: `bind ${obj.kind} ${obj.namespace}/${obj.name} with Waypoint.bindService() instead of opting it out, or target something else` };
    }
  } else {
    const nsLabels = model.namespaceLabels(obj.namespace);
    via = `Namespace ${obj.namespace} label ${LABEL_USE_WAYPOINT}`;
    if (nsLabels === undefined || nsLabels[LABEL_USE_WAYPOINT] === undefined) {
      const where = nsLabels === undefined ? `and Namespace ${obj.namespace} is not among the manifests` : `nor on Namespace ${obj.namespace}`;
      return { failure: BindingFailure.NO_LABEL, via, reason: `has no ${LABEL_USE_WAYPOINT} label, ${where}`, value: undefined,
        fix: `label the ${obj.kind} or its Namespace with ${LABEL_USE_WAYPOINT}: <waypoint>`,
        apiFix: `give AmbientNamespace ${obj.namespace} a waypoint (addWaypoint(), or useWaypoint() for a shared one), or bind the ${obj.kind} with Waypoint.bindService()` };
    }
    name = nsLabels[LABEL_USE_WAYPOINT];
    wpNs = nsLabels[LABEL_USE_WAYPOINT_NAMESPACE] ?? obj.namespace;
    inherited = true;
    if (name === 'none') {
      return { failure: BindingFailure.OPTED_OUT, via, reason: `inherits ${LABEL_USE_WAYPOINT}: none from Namespace ${obj.namespace}`, value: name,
        fix: `label the ${obj.kind} with ${LABEL_USE_WAYPOINT}: <waypoint>, or point the namespace label at a waypoint`,
        apiFix: `bind the ${obj.kind} with Waypoint.bindService(), or give its namespace a waypoint (AmbientNamespace.useWaypoint())` };
    }
  }
  const gw = model.gateways.get(key(wpNs, name));
  if (!gw) {
    const named = wpNs === '' ? `"/${name}" (${LABEL_USE_WAYPOINT_NAMESPACE} is present but empty)` : `${wpNs}/${name}`;
    const typo = wpNs === '' ? '' : didYouMean(name, model.namesIn(model.gateways, wpNs));
    return { failure: BindingFailure.MISSING_WAYPOINT, via, reason: `names waypoint ${named}, which does not exist`, value: name,
      fix: wpNs === '' ? `set ${LABEL_USE_WAYPOINT_NAMESPACE} to the waypoint's namespace, or remove it` :
        `${typo}create waypoint ${wpNs}/${name} or fix the ${LABEL_USE_WAYPOINT} label`,
      apiFix: wpNs === '' ? undefined :
        `${typo}add the waypoint (AmbientNamespace.addWaypoint()) or bind to an existing Waypoint (bindService(), useWaypoint())` };
  }
  const admission = waypointAdmits(model, gw, obj.namespace);
  if (!admission.ok) {
    return { failure: BindingFailure.NOT_ADMITTED, named: gw, via, reason: `uses waypoint ${wpNs}/${name}, whose HBONE listener (allowedRoutes from ${admission.from}) does not admit namespace ${obj.namespace}`,
      value: admission.from, fix: `allow namespace ${obj.namespace} in the waypoint's allowedRoutes (from: All or a matching Selector)`,
      apiFix: `give waypoint ${wpNs}/${name} allowedNamespaces: WaypointNamespaces.ALL` };
  }
  const { traffic, raw } = waypointTraffic(model, gw);
  if (!accepts(traffic, kind)) {
    const quiet = kind === 'workload' && inherited ? ' (inherited from the namespace, so istiod reports nothing)' : '';
    return { failure: BindingFailure.TRAFFIC_TYPE, named: gw, via, reason: `uses waypoint ${wpNs}/${name}, whose ${LABEL_WAYPOINT_FOR} is ${JSON.stringify(raw ?? traffic)} and takes no ${kind} traffic${quiet}`,
      value: raw ?? traffic, fix: `set ${LABEL_WAYPOINT_FOR}: ${kind === 'service' ? 'service' : 'workload'} (or all) on waypoint ${wpNs}/${name}`,
      apiFix: `give waypoint ${wpNs}/${name} trafficType: WaypointTraffic.${kind === 'service' ? 'SERVICE' : 'WORKLOAD'} (or ALL)` };
  }
  const role = model.gatewayRole(gw);
  if (!isWaypointType(role)) {
    return { failure: BindingFailure.NOT_A_WAYPOINT, named: gw, via,
      reason: `names Gateway ${wpNs}/${name} (class ${JSON.stringify(model.gatewayClassName(gw))}, ${role === GatewayRole.INGRESS ? 'an ingress gateway' : 'not run by Istio as a waypoint'}), which istiod binds all the same once it has an address: ztunnel then sends the traffic over HBONE to a proxy that is not a waypoint`,
      value: name, fix: `point ${LABEL_USE_WAYPOINT} at a Gateway of class istio-waypoint`, apiFix: 'bind to a Waypoint construct (class istio-waypoint)' };
  }
  return { waypoint: gw, named: gw, via };
}

/** The values Go's `strconv.ParseBool` reads as true and as false; anything else is an error. */
export const GO_TRUE: readonly string[] = ['1', 't', 'T', 'TRUE', 'true', 'True'];
export const GO_FALSE: readonly string[] = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Whether ingress gateways send a Service's traffic through its waypoint, and which label decided. */
export interface IngressUseWaypoint {
  readonly on: boolean;
  /** Where the value came from, e.g. `Service label istio.io/ingress-use-waypoint=true`. */
  readonly why: string;
  /** The label value when it is not a Go boolean (istiod logs it and reads false). */
  readonly invalid?: string;
}

/**
 * `istio.io/ingress-use-waypoint` as istiod reads it for a Service that has a waypoint
 * (services.go `ingressUseWaypointFromLabels`): the Service's label if present, else its Namespace's, parsed
 * with `strconv.ParseBool`; an invalid value reads as false.
 */
export function ingressUseWaypoint(model: MeshModel, svc: Entry): IngressUseWaypoint {
  const own = labelsOf(svc.manifest)[LABEL_INGRESS_USE_WAYPOINT];
  const nsv = own === undefined ? model.namespaceLabels(svc.namespace)?.[LABEL_INGRESS_USE_WAYPOINT] : undefined;
  const v = own ?? nsv;
  if (v === undefined) return { on: false, why: `no ${LABEL_INGRESS_USE_WAYPOINT} label on the ${svc.kind} or its Namespace` };
  const where = own !== undefined ? `${svc.kind} label` : `Namespace ${svc.namespace} label`;
  const invalid = !GO_TRUE.includes(v) && !GO_FALSE.includes(v) ? v : undefined;
  return { on: GO_TRUE.includes(v), why: `${where} ${LABEL_INGRESS_USE_WAYPOINT}=${JSON.stringify(v)}${invalid !== undefined ? ' (not a Go boolean: read as false)' : ''}`, invalid };
}
