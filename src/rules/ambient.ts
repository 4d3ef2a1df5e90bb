/**
 * Rules on ambient enrollment: waypoint Gateways, and the `use-waypoint` labels of Namespaces and Services.
 */
import { Entry, MeshModel, WAYPOINT_CLASS } from '../model/mesh-model';
import { key, labelsOf } from '../model/manifest';
import {
  BindingFailure, LABEL_DATAPLANE_MODE, LABEL_USE_WAYPOINT, LABEL_USE_WAYPOINT_NAMESPACE, LABEL_WAYPOINT_FOR, WAYPOINT_FOR_VALUES,
  resolveWaypoint, waypointAdmits, waypointTraffic,
} from '../model/waypoint-binding';
import { didYouMean } from '../model/suggest';
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
    const wpNs = labels[LABEL_USE_WAYPOINT_NAMESPACE] || nsEntry.name;
    const gw = model.gateways.get(key(wpNs, name));
    if (!gw || gw.manifest.spec?.gatewayClassName !== WAYPOINT_CLASS) {
      const typo = gw ? '' : didYouMean(name, model.namesIn(model.gateways, wpNs));
      out.push(problem('AMB002', field, gw ? `names Gateway ${wpNs}/${name}, which is not of class istio-waypoint` :
        `names waypoint ${wpNs}/${name}, which does not exist: traffic flows without a waypoint and its plugins`, name,
      `${typo}create the istio-waypoint Gateway ${wpNs}/${name} or fix the label`,
      `${typo}add the waypoint with AmbientNamespace.addWaypoint(), or pass an existing Waypoint to useWaypoint()`));
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
    }
    if (labels[LABEL_DATAPLANE_MODE] !== 'ambient') {
      out.push(problem('AMB004', field, `is set but the namespace is not enrolled in ambient (${LABEL_DATAPLANE_MODE}: ambient), so its own pods are not captured`,
        name, `label the namespace ${LABEL_DATAPLANE_MODE}: ambient`, `define namespace ${nsEntry.name} as an AmbientNamespace, which enrolls it`));
    }
  }
  return out.map((p) => problemToFinding(entryRef(nsEntry), p));
}

/** The rule code for a Service's own `use-waypoint` that leads to no waypoint. */
function bindingCode(failure: BindingFailure | undefined): string {
  switch (failure) {
    case BindingFailure.NOT_ADMITTED: return 'AMB005';
    case BindingFailure.TRAFFIC_TYPE: return 'AMB006';
    default: return 'AMB002';
  }
}

/** A Service or ServiceEntry labelled with its own `use-waypoint` must end up bound. */
export function checkServiceLabels(model: MeshModel, svc: Entry): Finding[] {
  const value = labelsOf(svc.manifest)[LABEL_USE_WAYPOINT];
  if (value === undefined || value === 'none') return [];
  const binding = resolveWaypoint(model, svc, 'service');
  if (binding.waypoint) return [];
  return [problemToFinding(entryRef(svc), problem(bindingCode(binding.failure), `metadata.labels["${LABEL_USE_WAYPOINT}"]`,
    `${binding.reason}: traffic to this ${svc.kind} flows without a waypoint`, value, binding.fix ?? 'bind it to an istio-waypoint Gateway', binding.apiFix))];
}
