/**
 * The rule set: pure functions over a MeshModel. Synth-time validation, `analyze` and the simulator all call these.
 */
import { MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP, ISTIO_EXTENSIONS_GROUP, ISTIO_NETWORKING_GROUP } from '../model/manifest';
import { Finding } from './finding';
import { checkNamespaceLabels, checkServiceLabels, checkWaypointGateway } from './ambient';
import { checkWasmPlugin } from './wasm-plugin';
import { checkTrafficExtension } from './traffic-extension';
import { checkSyncWaves } from './argocd';
import { checkIngressGateway, checkRoute, checkRouteConflicts, isHttpRouteKind } from './gateway';
import { isSecretProducerKind } from '../model/listeners';

export * from './finding';
export * from './display';
export * from './codes';
export * from './wasm-fields';
export * from './basic-auth';
export * from './wasm-plugin';
export * from './traffic-extension';
export * from './lua';
export * from './ambient';
export * from './argocd';
export * from './gateway';
export * from './suppression';

/** The kinds (by API group) the rules read; synth-time validation renders only these. */
const RULE_INPUT_KINDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['core', new Set(['Namespace', 'Service', 'Secret'])],
  [GATEWAY_GROUP, new Set(['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'])],
  [ISTIO_NETWORKING_GROUP, new Set(['ServiceEntry'])],
  [ISTIO_EXTENSIONS_GROUP, new Set(['WasmPlugin', 'TrafficExtension'])],
]);

/** Whether any rule reads objects of this group (`core` for v1) and kind. */
export function ruleReadsKind(group: string, kind: string): boolean {
  return (RULE_INPUT_KINDS.get(group)?.has(kind) ?? false) || isSecretProducerKind(group, kind);
}

/** Runs every rule over the model; findings come in the order of the objects. */
export function runRules(model: MeshModel): Finding[] {
  const out: Finding[] = [];
  for (const e of model.entries) {
    if (e.group === 'core' && e.kind === 'Namespace') out.push(...checkNamespaceLabels(model, e));
    else if ((e.group === 'core' && e.kind === 'Service') || (e.group === ISTIO_NETWORKING_GROUP && e.kind === 'ServiceEntry')) {
      out.push(...checkServiceLabels(model, e));
    } else if (e.group === GATEWAY_GROUP && e.kind === 'Gateway' && model.isWaypoint(e)) out.push(...checkWaypointGateway(e));
    else if (e.group === GATEWAY_GROUP && e.kind === 'Gateway') out.push(...checkIngressGateway(model, e));
    else if (isHttpRouteKind(e)) out.push(...checkRoute(model, e));
    else if (e.group === ISTIO_EXTENSIONS_GROUP && e.kind === 'WasmPlugin') out.push(...checkWasmPlugin(model, e));
    else if (e.group === ISTIO_EXTENSIONS_GROUP && e.kind === 'TrafficExtension') out.push(...checkTrafficExtension(model, e));
  }
  out.push(...checkRouteConflicts(model));
  out.push(...checkSyncWaves(model));
  return out;
}
