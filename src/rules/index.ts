/**
 * The rule set: pure functions over a MeshModel. Synth-time validation, `analyze` and the simulator all call these.
 */
import { MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP, ISTIO_EXTENSIONS_GROUP, ISTIO_NETWORKING_GROUP } from '../model/manifest';
import { Finding } from './finding';
import { checkNamespaceLabels, checkServiceLabels, checkWaypointGateway } from './ambient';
import { checkWasmPlugin } from './wasm-plugin';

export * from './finding';
export * from './codes';
export * from './wasm-fields';
export * from './basic-auth';
export * from './wasm-plugin';
export * from './ambient';

/** Runs every rule over the model; findings come in the order of the objects. */
export function runRules(model: MeshModel): Finding[] {
  const out: Finding[] = [];
  for (const e of model.entries) {
    if (e.group === 'core' && e.kind === 'Namespace') out.push(...checkNamespaceLabels(model, e));
    else if ((e.group === 'core' && e.kind === 'Service') || (e.group === ISTIO_NETWORKING_GROUP && e.kind === 'ServiceEntry')) {
      out.push(...checkServiceLabels(model, e));
    } else if (e.group === GATEWAY_GROUP && e.kind === 'Gateway' && model.isWaypoint(e)) out.push(...checkWaypointGateway(e));
    else if (e.group === ISTIO_EXTENSIONS_GROUP && e.kind === 'WasmPlugin') out.push(...checkWasmPlugin(model, e));
  }
  return out;
}
