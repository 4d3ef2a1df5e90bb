/**
 * Cross-object rules for one WasmPlugin: where its targets lead, and what Istio would silently ignore.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { key, labelsOf } from '../model/manifest';
import { LABEL_DATAPLANE_MODE } from '../model/waypoint-binding';
import {
  DeadRefReason, MAX_TARGETS, ProxyKind, RefResolution, httpListenerMatch, matchPasses, resolveTargets, targetGroupFor,
} from '../model/attachment';
import { FieldProblem, Finding, ObjectRef, problemToFinding } from './finding';
import { severityOf } from './codes';
import { checkLength, checkPort, checkPriority, checkSha256, checkUrl, checkVmEnv } from './wasm-fields';
import { checkBasicAuthConfig, checkPlaintextCredentials, isBasicAuthUrl } from './basic-auth';

export { ISTIO_GATEWAY_CLASSES, MAX_TARGETS, TargetRef, targetRefsOf } from '../model/attachment';

export function entryRef(e: Entry): ObjectRef {
  return { kind: e.kind, namespace: e.namespace, name: e.name, origin: e.origin, source: e.source };
}

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
}

/** The finding for a target reference that leads nowhere, worded from the model's reason. */
function deadRefProblem(model: MeshModel, plugin: Entry, r: RefResolution): FieldProblem | undefined {
  const { ref } = r;
  const ns = plugin.namespace;
  switch (r.dead) {
    case undefined:
      return undefined;
    case DeadRefReason.CROSS_NAMESPACE:
      return problem('WASM003', `${ref.field}.namespace`,
        ref.namespace === ns ? 'must be empty: the API server rejects any namespace here' : 'names another namespace: cross-namespace targets are not supported',
        ref.namespace, ref.namespace === ns ? 'drop namespace from the target reference' :
          `create the plugin in namespace ${ref.namespace}, beside its target, and drop namespace from the reference`);
    case DeadRefReason.UNSUPPORTED_KIND: {
      const want = targetGroupFor(ref.kind);
      const fix = want === undefined ? 'target a Gateway, GatewayClass (gateway.networking.k8s.io), Service (core) or ServiceEntry (networking.istio.io)' :
        `set group: ${JSON.stringify(want === 'core' ? '' : want)} for kind ${ref.kind}`;
      return problem('WASM004', `${ref.field}.${want === undefined ? 'kind' : 'group'}`,
        `${ref.group}/${ref.kind} is not a target Istio attaches plugins to`, want === undefined ? ref.kind : (ref.group === 'core' ? '' : ref.group), fix);
    }
    case DeadRefReason.MISSING_GATEWAY:
      return problem('WASM005', `${ref.field}.name`, `no Gateway of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
        `create Gateway ${ns}/${ref.name} or name an existing one (the Gateway name, not its "-istio" Deployment)`);
    case DeadRefReason.FOREIGN_GATEWAY:
      return problem('WASM014', `${ref.field}.name`,
        `Gateway ${ns}/${ref.name} has class ${JSON.stringify(model.gatewayClassName(r.target!))}, which Istio does not run, so the plugin applies to nothing`,
        ref.name, 'target a Gateway of class istio (ingress) or istio-waypoint');
    case DeadRefReason.MISSING_SERVICE: {
      const index = ref.kind === 'Service' ? model.services : model.serviceEntries;
      const elsewhere = model.namesakes(index, ref.name)[0];
      return problem(ref.kind === 'Service' ? 'WASM006' : 'WASM007', `${ref.field}.name`,
        `no ${ref.kind} of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
        elsewhere ? `move the plugin to namespace ${elsewhere.namespace}: a plugin must live in its ${ref.kind}'s namespace` :
          `create ${ref.kind} ${ns}/${ref.name} or name an existing one`);
    }
    case DeadRefReason.NO_WAYPOINT:
      return problem('WASM009', `${ref.field}.name`,
        `${ref.kind} ${ns}/${ref.name} ${r.binding!.reason}: no waypoint serves it, so the plugin applies to nothing (for an auth plugin, an open door)`,
        ref.name, r.binding!.fix ?? 'bind the Service to a waypoint');
    case DeadRefReason.WRONG_GATEWAY_CLASS:
      return problem('WASM008', `${ref.field}.name`, 'only GatewayClass istio-waypoint can be targeted; any other class matches nothing', ref.name,
        'target GatewayClass istio-waypoint from the root namespace, or target the Gateway itself');
    case DeadRefReason.NOT_ROOT_NAMESPACE:
      return problem('WASM008', `${ref.field}.name`, `a GatewayClass target works only from the root namespace ${model.rootNamespace}, not ${ns}`, ref.name,
        `create the plugin in namespace ${model.rootNamespace} (it then covers every waypoint in the mesh) or target the waypoint Gateway`);
  }
}

/** Field-local checks of a WasmPlugin spec (no other object needed). */
export function checkWasmPluginSpec(spec: any): FieldProblem[] {
  const out: FieldProblem[] = [];
  out.push(...checkUrl(spec?.url));
  out.push(...checkSha256(spec?.sha256));
  out.push(...checkLength(spec?.pluginName, 'spec.pluginName', 1, 256));
  out.push(...checkLength(spec?.imagePullSecret, 'spec.imagePullSecret', 1, 253));
  out.push(...checkPriority(spec?.priority));
  if (Array.isArray(spec?.vmConfig?.env)) out.push(...checkVmEnv(spec.vmConfig.env));
  if (Array.isArray(spec?.match)) {
    spec.match.forEach((m: any, i: number) => (Array.isArray(m?.ports) ? m.ports : [])
      .forEach((p: any, j: number) => out.push(...checkPort(p?.number, `spec.match[${i}].ports[${j}].number`))));
  }
  const hasRefs = spec?.targetRefs !== undefined;
  const hasRef = spec?.targetRef !== undefined;
  if (hasRefs && hasRef) {
    out.push(problem('WASM001', 'spec.targetRef', 'is set together with targetRefs (the API server rejects both; Istio would ignore targetRef)',
      spec.targetRef, 'keep only targetRefs'));
  }
  if (spec?.selector !== undefined && (hasRefs || hasRef)) {
    out.push(problem('WASM002', 'spec.selector', 'is set together with targets (only one of targetRefs or selector can be set)', spec.selector,
      'drop selector to attach by targetRefs (ambient, Gateway API), or drop the targets to attach by pod labels (sidecars)'));
  }
  const refs = Array.isArray(spec?.targetRefs) ? spec.targetRefs : [];
  if (refs.length > MAX_TARGETS) {
    out.push(problem('WASM010', 'spec.targetRefs', `holds ${refs.length} targets, more than the ${MAX_TARGETS} allowed`, refs.length,
      'split the targets over several plugins'));
  }
  if (isBasicAuthUrl(spec?.url)) out.push(...checkBasicAuthConfig(spec?.pluginConfig));
  return out;
}

const AUTH_PHASES = ['AUTHN', 'AUTHZ'];

/** Every rule about one WasmPlugin, given the whole model. */
export function checkWasmPlugin(model: MeshModel, plugin: Entry): Finding[] {
  const spec = plugin.manifest.spec ?? {};
  const problems: FieldProblem[] = checkWasmPluginSpec(spec);
  const resolved = resolveTargets(model, plugin);
  for (const r of resolved) {
    const p = deadRefProblem(model, plugin, r);
    if (p) problems.push(p);
  }
  const refs = resolved.map((r) => r.ref);
  const atWaypoint = resolved.some((r) => r.places.some((place) => place.kind === ProxyKind.WAYPOINT));
  const ns = plugin.namespace;

  if (refs.length === 0 && labelsOf(model.namespaces.get(ns)?.manifest)[LABEL_DATAPLANE_MODE] === 'ambient') {
    problems.push(problem('WASM020', spec.selector !== undefined ? 'spec.selector' : 'spec.targetRefs',
      `${spec.selector !== undefined ? 'a selector-based plugin' : 'a plugin with neither selector nor targets'} in ambient namespace ${ns}: waypoints ignore it, while ingress gateways in the namespace still run it`,
      spec.selector, 'attach it with targetRefs to the waypoint, Service or Gateway it should guard'));
  }
  const phase = spec.phase;
  if (spec.failStrategy === 'FAIL_OPEN' && AUTH_PHASES.includes(phase)) {
    problems.push(problem('WASM021', 'spec.failStrategy', `FAIL_OPEN on a ${phase} plugin: if the module cannot be fetched or crashes, every request passes unchecked`,
      spec.failStrategy, 'leave failStrategy unset (FAIL_CLOSE) for auth plugins'));
  }
  if (atWaypoint && !matchPasses(spec.match, httpListenerMatch(ProxyKind.WAYPOINT, 0)) && spec.type !== 'NETWORK') {
    problems.push(problem('WASM022', 'spec.match', 'excludes the waypoint: its HTTP chains match with mode SERVER and port 0, so match.ports or mode CLIENT never match there',
      spec.match, 'drop match (or ports and mode CLIENT) from a plugin that runs at a waypoint'));
  }
  if (atWaypoint && spec.type === 'NETWORK') {
    problems.push(problem('WASM024', 'spec.type', 'a NETWORK plugin at a waypoint runs on TCP chains only and never sees HTTP service traffic',
      spec.type, 'use type HTTP (or leave it unset) for HTTP services'));
  }
  if (spec.priority === undefined || spec.priority === null) {
    const prioritized = (model.pluginsByNamespace.get(ns) ?? []).filter((p) => p !== plugin && typeof p.manifest.spec?.priority === 'number' && p.manifest.spec?.phase === phase);
    if (prioritized.length > 0) {
      problems.push(problem('WASM023', 'spec.priority', `is unset while ${prioritized.map((p) => p.name).sort().join(', ')} in the same phase set one: unset sorts after every priority, negative ones included, not as 0`,
        undefined, 'set an explicit priority on every plugin of the phase'));
    }
  }
  if (typeof spec.imagePullSecret === 'string' && spec.imagePullSecret !== '') {
    const secret = model.secrets.get(key(ns, spec.imagePullSecret));
    if (!secret) {
      problems.push(problem('WASM025', 'spec.imagePullSecret', `Secret ${ns}/${spec.imagePullSecret} is not among the manifests; it must exist in the plugin namespace before the module is pulled`,
        spec.imagePullSecret, 'make sure the Secret is created in the same namespace (sealed or external secrets are fine)'));
    } else if (secret.manifest.type !== 'kubernetes.io/dockerconfigjson') {
      problems.push(problem('WASM013', 'spec.imagePullSecret', `Secret ${ns}/${spec.imagePullSecret} has type ${JSON.stringify(secret.manifest.type ?? 'Opaque')}; Istio only reads kubernetes.io/dockerconfigjson`,
        spec.imagePullSecret, 'create the Secret with type kubernetes.io/dockerconfigjson (kubectl create secret docker-registry)'));
    }
  }
  if (isBasicAuthUrl(spec.url)) problems.push(...checkPlaintextCredentials(spec.pluginConfig));
  const ref = entryRef(plugin);
  return problems.map((p) => problemToFinding(ref, p));
}
