/**
 * Rules on ambient enrollment: waypoint Gateways, and the `use-waypoint` labels of Namespaces and Services.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { key, labelsOf } from '../model/manifest';
import {
  BindingFailure, GO_FALSE, GO_TRUE, LABEL_DATAPLANE_MODE, LABEL_INGRESS_USE_WAYPOINT, LABEL_USE_WAYPOINT, LABEL_USE_WAYPOINT_NAMESPACE, LABEL_WAYPOINT_FOR,
  WAYPOINT_FOR_VALUES, resolveWaypoint, waypointAdmits, waypointTraffic,
} from '../model/waypoint-binding';
import { didYouMean } from '../model/suggest';
import { GatewayRole, isWaypointType } from '../model/gateway-class';
import { hasNoVip } from '../model/protocol';
import { FieldProblem, Finding, problemToFinding } from './finding';
import { severityOf } from './codes';
import { entryRef } from './wasm-plugin';

/** A problem; `apiFix` gives the fix in the construct API's words where they differ from the YAML's. */
function problem(code: string, field: string, message: string, value: unknown, fix: string, apiFix?: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix, ...(apiFix !== undefined ? { apiFix } : {}) };
}

/** A waypoint name istiod can never use (`none` is the opt-out word). */
export function checkWaypointName(name: unknown, field = 'metadata.name'): FieldProblem[] {
  if (name !== 'none') return [];
  return [problem('AMB001', field, '"none" is reserved: istio.io/use-waypoint: none means "no waypoint", so this waypoint can never be used',
    name, 'pick another name, such as "waypoint"')];
}

export function checkWaypointFor(value: unknown, field = `metadata.labels["${LABEL_WAYPOINT_FOR}"]`): FieldProblem[] {
  if (value === undefined || (typeof value === 'string' && WAYPOINT_FOR_VALUES.includes(value))) return [];
  return [problem('AMB003', field, 'is not one of service, workload, all, none; istiod treats it as none and the waypoint processes nothing',
    value, 'use service (the default), workload, all or none')];
}

export function checkWaypointGateway(gw: Entry): Finding[] {
  const out = [...checkWaypointName(gw.name), ...checkWaypointFor(labelsOf(gw.manifest)[LABEL_WAYPOINT_FOR])];
  return out.map((p) => problemToFinding(entryRef(gw), p));
}

/** Values of `istio.io/dataplane-mode` the default ambient enablement selectors act on. */
export const DATAPLANE_MODE_VALUES: readonly string[] = ['ambient', 'none'];

/**
 * A Namespace's own `use-waypoint` must name an istio-waypoint Gateway that takes traffic and admits the
 * namespace, and makes sense only when the namespace is ambient.
 */
export function checkNamespaceLabels(model: MeshModel, nsEntry: Entry): Finding[] {
  const labels = labelsOf(nsEntry.manifest);
  const out: FieldProblem[] = [];
  const mode = labels[LABEL_DATAPLANE_MODE];
  if (mode !== undefined && !DATAPLANE_MODE_VALUES.includes(mode)) {
    out.push(problem('AMB007', `metadata.labels["${LABEL_DATAPLANE_MODE}"]`,
      'is not ambient or none: the ambient enablement selectors ignore it, so no pod of the namespace is captured and no waypoint or plugin sees its traffic',
      mode, `write ${LABEL_DATAPLANE_MODE}: ambient (lower case) to enroll the namespace`));
  }
  const name = labels[LABEL_USE_WAYPOINT];
  if (name !== undefined && name !== 'none') {
    const field = `metadata.labels["${LABEL_USE_WAYPOINT}"]`;
    // a present but empty use-waypoint-namespace counts (waypoints.go getUseWaypoint): "/<name>" binds nothing
    const wpNs = labels[LABEL_USE_WAYPOINT_NAMESPACE] ?? nsEntry.name;
    const gw = model.gateways.get(key(wpNs, name));
    if (!gw) {
      const typo = wpNs === '' ? '' : didYouMean(name, model.namesIn(model.gateways, wpNs));
      out.push(problem('AMB002', field, wpNs === '' ?
        `names waypoint "/${name}": ${LABEL_USE_WAYPOINT_NAMESPACE} is present but empty, so istiod looks up a Gateway in no namespace and binds nothing` :
        `names waypoint ${wpNs}/${name}, which does not exist: traffic flows without a waypoint and its plugins`, name,
      wpNs === '' ? `remove the empty ${LABEL_USE_WAYPOINT_NAMESPACE} label or set it to the waypoint's namespace` : `${typo}create the istio-waypoint Gateway ${wpNs}/${name} or fix the label`,
      wpNs === '' ? undefined : `${typo}add the waypoint with AmbientNamespace.addWaypoint(), or pass an existing Waypoint to useWaypoint()`));
    } else {
      const admission = waypointAdmits(model, gw, nsEntry.name);
      if (!admission.ok) {
        out.push(problem('AMB005', field,
          `names waypoint ${wpNs}/${name}, whose HBONE listener (allowedRoutes from ${admission.from}) does not admit namespace ${nsEntry.name}: istiod refuses the binding (AttachmentDenied) and traffic flows without the waypoint`,
          name, `allow namespace ${nsEntry.name} in the waypoint's allowedRoutes (from: All, or a Selector matching its labels)`,
          `give waypoint ${wpNs}/${name} allowedNamespaces: WaypointNamespaces.ALL`));
      }
      const { traffic, raw } = waypointTraffic(model, gw);
      // a workload-only waypoint is a legitimate namespace default (pods use it); one that takes nothing is not
      if (traffic === 'none') {
        out.push(problem('AMB006', field,
          `names waypoint ${wpNs}/${name}, whose ${LABEL_WAYPOINT_FOR} is ${JSON.stringify(raw)}: it takes neither service nor workload traffic, so nothing in the namespace uses it`,
          name, `set ${LABEL_WAYPOINT_FOR}: service (the default), workload or all on waypoint ${wpNs}/${name}`,
          `give waypoint ${wpNs}/${name} trafficType WaypointTraffic.SERVICE, WORKLOAD or ALL (or leave it unset)`));
      }
      const role = model.gatewayRole(gw);
      if (admission.ok && traffic !== 'none' && !isWaypointType(role)) {
        out.push(problem('AMB008', field, notAWaypoint(model, gw, role), name, 'point the label at a Gateway of class istio-waypoint',
          'pass a Waypoint to useWaypoint()'));
      }
    }
    if (labels[LABEL_DATAPLANE_MODE] !== 'ambient') {
      out.push(problem('AMB004', field, `is set but the namespace is not enrolled in ambient (${LABEL_DATAPLANE_MODE}: ambient), so its own pods are not captured`,
        name, `label the namespace ${LABEL_DATAPLANE_MODE}: ambient`, `define namespace ${nsEntry.name} as an AmbientNamespace, which enrolls it`));
    }
  }
  out.push(...checkIngressUseWaypoint(labels[LABEL_INGRESS_USE_WAYPOINT]));
  return out.map((p) => problemToFinding(entryRef(nsEntry), p));
}

function notAWaypoint(model: MeshModel, gw: Entry, role: GatewayRole): string {
  const what = role === GatewayRole.INGRESS ? 'an ingress gateway' : role === GatewayRole.FOREIGN ? 'a Gateway Istio does not run' : 'not a waypoint';
  return `names Gateway ${gw.namespace}/${gw.name} of class ${JSON.stringify(model.gatewayClassName(gw))}, ${what}: istiod binds any Gateway that has an address (waypoints.go), so ztunnel sends this traffic over HBONE to a proxy that is not a waypoint, and no waypoint plugin sees it`;
}

/** `istio.io/ingress-use-waypoint` is read with Go's `strconv.ParseBool`; anything else reads as false. */
export function checkIngressUseWaypoint(value: unknown, field = `metadata.labels["${LABEL_INGRESS_USE_WAYPOINT}"]`): FieldProblem[] {
  if (value === undefined || (typeof value === 'string' && (GO_TRUE.includes(value) || GO_FALSE.includes(value)))) return [];
  const near = typeof value === 'string' && value.toLowerCase() === 'true' ? '"true"' : typeof value === 'string' && ['yes', 'on', 'y'].includes(value.toLowerCase()) ? '"true"' : '"true" or "false"';
  return [problem('AMB010', field, `is not a value Go's strconv.ParseBool reads (1, t, T, TRUE, true, True and their false forms), so istiod reads it as false and ingress traffic skips the waypoint`,
    value, `write ${near}`)];
}

/** The rule code for a Service's own `use-waypoint` that leads to no waypoint. */
function bindingCode(failure: BindingFailure | undefined): string {
  switch (failure) {
    case BindingFailure.NOT_ADMITTED: return 'AMB005';
    case BindingFailure.TRAFFIC_TYPE: return 'AMB006';
    case BindingFailure.NOT_A_WAYPOINT: return 'AMB008';
    default: return 'AMB002';
  }
}

/**
 * A Service or ServiceEntry labelled with its own `use-waypoint` must end up bound to a waypoint; a headless
 * Service's waypoint never sees its traffic; `ingress-use-waypoint` must be a Go boolean.
 */
export function checkServiceLabels(model: MeshModel, svc: Entry): Finding[] {
  const labels = labelsOf(svc.manifest);
  const out: FieldProblem[] = [...checkIngressUseWaypoint(labels[LABEL_INGRESS_USE_WAYPOINT])];
  const value = labels[LABEL_USE_WAYPOINT];
  if (value !== undefined && value !== 'none') {
    const field = `metadata.labels["${LABEL_USE_WAYPOINT}"]`;
    const binding = resolveWaypoint(model, svc, 'service');
    if (!binding.waypoint) {
      const code = bindingCode(binding.failure);
      const message = binding.failure === BindingFailure.NOT_A_WAYPOINT ? notAWaypoint(model, binding.named!, model.gatewayRole(binding.named!)) :
        `${binding.reason}: traffic to this ${svc.kind} flows without a waypoint`;
      out.push(problem(code, field, message, value, binding.fix ?? 'bind it to an istio-waypoint Gateway', binding.apiFix));
    } else if (hasNoVip(svc)) {
      out.push(problem('AMB009', field,
        `is set on a headless Service (clusterIP: None): clients reach its pods by pod IP, and waypoint ${binding.waypoint.namespace}/${binding.waypoint.name} serves only traffic addressed to a Service's virtual IP, so it never sees this traffic`,
        value, `bind the pods instead (${LABEL_USE_WAYPOINT} on the Namespace or pods) to a waypoint with ${LABEL_WAYPOINT_FOR}: workload or all, or give the Service a cluster IP`));
    }
  }
  return out.map((p) => problemToFinding(entryRef(svc), p));
}
