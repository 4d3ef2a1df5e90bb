/**
 * Rules on ambient enrollment: waypoint Gateways, and the `use-waypoint` labels of Namespaces and Services.
 */
import { Entry, MeshModel, WAYPOINT_CLASS } from '../model/mesh-model';
import { key, labelsOf } from '../model/manifest';
import { LABEL_DATAPLANE_MODE, LABEL_USE_WAYPOINT, LABEL_USE_WAYPOINT_NAMESPACE, LABEL_WAYPOINT_FOR, WAYPOINT_FOR_VALUES, resolveWaypoint } from '../model/waypoint-binding';
import { FieldProblem, Finding, problemToFinding } from './finding';
import { severityOf } from './codes';
import { entryRef } from './wasm-plugin';

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
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

/** A Namespace's own `use-waypoint` must name an istio-waypoint Gateway, and makes sense only when ambient. */
export function checkNamespaceLabels(model: MeshModel, nsEntry: Entry): Finding[] {
  const labels = labelsOf(nsEntry.manifest);
  const name = labels[LABEL_USE_WAYPOINT];
  if (name === undefined || name === 'none') return [];
  const out: FieldProblem[] = [];
  const field = `metadata.labels["${LABEL_USE_WAYPOINT}"]`;
  const wpNs = labels[LABEL_USE_WAYPOINT_NAMESPACE] || nsEntry.name;
  const gw = model.gateways.get(key(wpNs, name));
  if (!gw || gw.manifest.spec?.gatewayClassName !== WAYPOINT_CLASS) {
    out.push(problem('AMB002', field, gw ? `names Gateway ${wpNs}/${name}, which is not of class istio-waypoint` :
      `names waypoint ${wpNs}/${name}, which does not exist: traffic flows without a waypoint and its plugins`, name,
    `create the waypoint (AmbientNamespace.addWaypoint()) or fix the label`));
  }
  if (labels[LABEL_DATAPLANE_MODE] !== 'ambient') {
    out.push(problem('AMB004', field, `is set but the namespace is not enrolled in ambient (${LABEL_DATAPLANE_MODE}: ambient), so its own pods are not captured`,
      name, `label the namespace ${LABEL_DATAPLANE_MODE}: ambient (AmbientNamespace does)`));
  }
  return out.map((p) => problemToFinding(entryRef(nsEntry), p));
}

/** A Service or ServiceEntry labelled with its own `use-waypoint` must end up bound. */
export function checkServiceLabels(model: MeshModel, svc: Entry): Finding[] {
  const value = labelsOf(svc.manifest)[LABEL_USE_WAYPOINT];
  if (value === undefined || value === 'none') return [];
  const binding = resolveWaypoint(model, svc, 'service');
  if (binding.waypoint) return [];
  return [problemToFinding(entryRef(svc), problem('AMB002', `metadata.labels["${LABEL_USE_WAYPOINT}"]`,
    `${binding.reason}: traffic to this ${svc.kind} flows without a waypoint`, value, binding.fix ?? 'bind it to an istio-waypoint Gateway'))];
}
