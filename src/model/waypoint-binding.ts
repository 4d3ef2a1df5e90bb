/**
 * Which waypoint serves an object, as istiod decides it (ambient `use-waypoint` labels, `waypoint-for`,
 * namespace admission). Readiness (status.addresses) cannot be known offline: an existing waypoint counts as ready.
 */
import { didYouMean } from './suggest';
import { Entry, MeshModel } from './mesh-model';
import { key, labelsOf } from './manifest';

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
  /** The named Gateway is not of class istio-waypoint. */
  NOT_A_WAYPOINT = 'not-a-waypoint',
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

/** Traffic type a waypoint Gateway accepts: its label, else its GatewayClass label, else `service`. */
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

function matchesSelector(labels: Record<string, string>, selector: any): boolean {
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

/** Namespace admission, evaluated on the waypoint's HBONE listener (port 15008). */
export function waypointAdmits(model: MeshModel, waypoint: Entry, fromNamespace: string): { ok: boolean; from: string } {
  const listeners: any[] = Array.isArray(waypoint.manifest.spec?.listeners) ? waypoint.manifest.spec.listeners : [];
  const hbone = listeners.find((l) => l && l.protocol === 'HBONE' && l.port === 15008);
  const ns = hbone?.allowedRoutes?.namespaces;
  const from: string = typeof ns?.from === 'string' ? ns.from : 'Same';
  if (from === 'All') return { ok: true, from };
  if (from === 'Selector') {
    return { ok: matchesSelector(model.namespaceLabels(fromNamespace) ?? {}, ns.selector), from };
  }
  return { ok: fromNamespace === waypoint.namespace, from };
}

/**
 * The waypoint that serves traffic addressed to `obj` (a Service, ServiceEntry, Pod or WorkloadEntry),
 * following istiod's `use-waypoint` resolution: the object's own label, else its namespace's.
 */
export function resolveWaypoint(model: MeshModel, obj: Entry, kind: BindingKind = 'service'): Binding {
  const labels = labelsOf(obj.manifest);
  const managed = labels[LABEL_MANAGED];
  if (managed === 'istio.io-mesh-controller' || managed === 'istio.io-eastwest-controller') {
    return { failure: BindingFailure.MANAGED, via: `${obj.kind} label ${LABEL_MANAGED}`, reason: 'belongs to a waypoint or east-west gateway, which never gets a waypoint', value: managed };
  }
  let name: string | undefined;
  let wpNs = obj.namespace;
  let via: string;
  if (labels[LABEL_USE_WAYPOINT] !== undefined) {
    name = labels[LABEL_USE_WAYPOINT];
    wpNs = labels[LABEL_USE_WAYPOINT_NAMESPACE] || obj.namespace;
    via = `${obj.kind} label ${LABEL_USE_WAYPOINT}`;
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
    wpNs = nsLabels[LABEL_USE_WAYPOINT_NAMESPACE] || obj.namespace;
    if (name === 'none') {
      return { failure: BindingFailure.OPTED_OUT, via, reason: `inherits ${LABEL_USE_WAYPOINT}: none from Namespace ${obj.namespace}`, value: name,
        fix: `label the ${obj.kind} with ${LABEL_USE_WAYPOINT}: <waypoint>, or point the namespace label at a waypoint`,
        apiFix: `bind the ${obj.kind} with Waypoint.bindService(), or give its namespace a waypoint (AmbientNamespace.useWaypoint())` };
    }
  }
  const gw = model.gateways.get(key(wpNs, name));
  if (!gw) {
    const typo = didYouMean(name, model.namesIn(model.gateways, wpNs));
    return { failure: BindingFailure.MISSING_WAYPOINT, via, reason: `names waypoint ${wpNs}/${name}, which does not exist`, value: name,
      fix: `${typo}create waypoint ${wpNs}/${name} or fix the ${LABEL_USE_WAYPOINT} label`,
      apiFix: `${typo}add the waypoint (AmbientNamespace.addWaypoint()) or bind to an existing Waypoint (bindService(), useWaypoint())` };
  }
  if (!model.isWaypoint(gw)) {
    return { failure: BindingFailure.NOT_A_WAYPOINT, named: gw, via, reason: `names Gateway ${wpNs}/${name} of class ${JSON.stringify(model.gatewayClassName(gw))}, not istio-waypoint`, value: name,
      fix: `point ${LABEL_USE_WAYPOINT} at a Gateway of class istio-waypoint`, apiFix: 'bind to a Waypoint construct (class istio-waypoint)' };
  }
  const { traffic, raw } = waypointTraffic(model, gw);
  if (!accepts(traffic, kind)) {
    return { failure: BindingFailure.TRAFFIC_TYPE, named: gw, via, reason: `uses waypoint ${wpNs}/${name}, whose ${LABEL_WAYPOINT_FOR} is ${JSON.stringify(raw ?? traffic)} and takes no ${kind} traffic`,
      value: raw ?? traffic, fix: `set ${LABEL_WAYPOINT_FOR}: ${kind === 'service' ? 'service' : 'workload'} (or all) on waypoint ${wpNs}/${name}`,
      apiFix: `give waypoint ${wpNs}/${name} trafficType: WaypointTraffic.${kind === 'service' ? 'SERVICE' : 'WORKLOAD'} (or ALL)` };
  }
  const admission = waypointAdmits(model, gw, obj.namespace);
  if (!admission.ok) {
    return { failure: BindingFailure.NOT_ADMITTED, named: gw, via, reason: `uses waypoint ${wpNs}/${name}, whose HBONE listener (allowedRoutes from ${admission.from}) does not admit namespace ${obj.namespace}`,
      value: admission.from, fix: `allow namespace ${obj.namespace} in the waypoint's allowedRoutes (from: All or a matching Selector)`,
      apiFix: `give waypoint ${wpNs}/${name} allowedNamespaces: WaypointNamespaces.ALL` };
  }
  return { waypoint: gw, named: gw, via };
}
