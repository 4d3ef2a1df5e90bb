/**
 * Cross-object rules for one WasmPlugin: where its targets lead, and what Istio would silently ignore.
 */
import { Entry, INGRESS_CLASS, MeshModel, WAYPOINT_CLASS } from '../model/mesh-model';
import { GATEWAY_GROUP, ISTIO_NETWORKING_GROUP, canonicalGroup, key, labelsOf } from '../model/manifest';
import { LABEL_DATAPLANE_MODE, resolveWaypoint } from '../model/waypoint-binding';
import { FieldProblem, Finding, ObjectRef, problemToFinding } from './finding';
import { severityOf } from './codes';
import { checkLength, checkPort, checkPriority, checkSha256, checkUrl, checkVmEnv } from './wasm-fields';
import { checkBasicAuthConfig, isBasicAuthUrl } from './basic-auth';

/** Gateway classes whose proxies istiod configures (and so run Wasm). */
export const ISTIO_GATEWAY_CLASSES = [INGRESS_CLASS, WAYPOINT_CLASS, 'istio-east-west'];

/** The most targets the CRD allows. */
export const MAX_TARGETS = 16;

export function entryRef(e: Entry): ObjectRef {
  return { kind: e.kind, namespace: e.namespace, name: e.name, origin: e.origin, source: e.source };
}

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
}

/** A target ref as Istio reads it, with the field it came from. */
export interface TargetRef {
  readonly field: string;
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

const SUPPORTED: ReadonlyArray<[string, string]> = [
  ['core', 'Service'], [ISTIO_NETWORKING_GROUP, 'ServiceEntry'], [GATEWAY_GROUP, 'Gateway'], [GATEWAY_GROUP, 'GatewayClass'],
];

function expectedGroup(kind: string): string | undefined {
  const hit = SUPPORTED.find(([, k]) => k === kind);
  return hit ? hit[0] : undefined;
}

/** Whether a ref reaches a waypoint (so waypoint-only filters matter), after the ref checks passed. */
interface RefOutcome {
  readonly problems: FieldProblem[];
  readonly atWaypoint: boolean;
}

function checkRef(model: MeshModel, plugin: Entry, ref: TargetRef): RefOutcome {
  const ns = plugin.namespace;
  const out: FieldProblem[] = [];
  if (ref.namespace !== undefined && ref.namespace !== '') {
    out.push(problem('WASM003', `${ref.field}.namespace`,
      ref.namespace === ns ? 'must be empty: the API server rejects any namespace here' : 'names another namespace: cross-namespace targets are not supported',
      ref.namespace, ref.namespace === ns ? 'drop namespace from the target reference' :
        `create the plugin in namespace ${ref.namespace}, beside its target, and drop namespace from the reference`));
    return { problems: out, atWaypoint: false };
  }
  const want = expectedGroup(ref.kind);
  if (want === undefined || want !== ref.group) {
    const fix = want === undefined ? 'target a Gateway, GatewayClass (gateway.networking.k8s.io), Service (core) or ServiceEntry (networking.istio.io)' :
      `set group: ${JSON.stringify(want === 'core' ? '' : want)} for kind ${ref.kind}`;
    out.push(problem('WASM004', `${ref.field}.${want === undefined ? 'kind' : 'group'}`,
      `${ref.group}/${ref.kind} is not a target Istio attaches plugins to`, want === undefined ? ref.kind : (ref.group === 'core' ? '' : ref.group), fix));
    return { problems: out, atWaypoint: false };
  }
  switch (ref.kind) {
    case 'Gateway': {
      const gw = model.gateways.get(key(ns, ref.name));
      if (!gw) {
        out.push(problem('WASM005', `${ref.field}.name`, `no Gateway of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
          `create Gateway ${ns}/${ref.name} or name an existing one (the Gateway name, not its "-istio" Deployment)`));
        return { problems: out, atWaypoint: false };
      }
      const cls = model.gatewayClassName(gw);
      if (!ISTIO_GATEWAY_CLASSES.includes(cls)) {
        out.push(problem('WASM014', `${ref.field}.name`, `Gateway ${ns}/${ref.name} has class ${JSON.stringify(cls)}, which Istio does not run, so the plugin applies to nothing`,
          ref.name, 'target a Gateway of class istio (ingress) or istio-waypoint'));
      }
      return { problems: out, atWaypoint: cls === WAYPOINT_CLASS };
    }
    case 'Service':
    case 'ServiceEntry': {
      const index = ref.kind === 'Service' ? model.services : model.serviceEntries;
      const target = index.get(key(ns, ref.name));
      if (!target) {
        const code = ref.kind === 'Service' ? 'WASM006' : 'WASM007';
        const elsewhere = [...index.values()].find((e) => e.name === ref.name);
        out.push(problem(code, `${ref.field}.name`, `no ${ref.kind} of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
          elsewhere ? `move the plugin to namespace ${elsewhere.namespace}: a plugin must live in its ${ref.kind}'s namespace` :
            `create ${ref.kind} ${ns}/${ref.name} or name an existing one`));
        return { problems: out, atWaypoint: false };
      }
      const binding = resolveWaypoint(model, target, 'service');
      if (!binding.waypoint) {
        out.push(problem('WASM009', `${ref.field}.name`,
          `${ref.kind} ${ns}/${ref.name} ${binding.reason}: no waypoint serves it, so the plugin applies to nothing (for an auth plugin, an open door)`,
          ref.name, binding.fix ?? 'bind the Service to a waypoint'));
        return { problems: out, atWaypoint: false };
      }
      return { problems: out, atWaypoint: true };
    }
    case 'GatewayClass': {
      if (ref.name !== WAYPOINT_CLASS) {
        out.push(problem('WASM008', `${ref.field}.name`, 'only GatewayClass istio-waypoint can be targeted; any other class matches nothing', ref.name,
          'target GatewayClass istio-waypoint from the root namespace, or target the Gateway itself'));
        return { problems: out, atWaypoint: false };
      }
      if (ns !== model.rootNamespace) {
        out.push(problem('WASM008', `${ref.field}.name`, `a GatewayClass target works only from the root namespace ${model.rootNamespace}, not ${ns}`, ref.name,
          `create the plugin in namespace ${model.rootNamespace} (it then covers every waypoint in the mesh) or target the waypoint Gateway`));
        return { problems: out, atWaypoint: false };
      }
      return { problems: out, atWaypoint: true };
    }
    default:
      return { problems: out, atWaypoint: false };
  }
}

/** Does a `match` list let an HTTP plugin run on a waypoint chain (mode SERVER, port 0)? */
function matchAllowsWaypoint(match: unknown): boolean {
  if (!Array.isArray(match) || match.length === 0) return true;
  return match.some((m: any) => {
    const mode = m?.mode ?? 'UNDEFINED';
    const modeOk = mode === 'UNDEFINED' || mode === 'CLIENT_AND_SERVER' || mode === 'SERVER';
    const portOk = !Array.isArray(m?.ports) || m.ports.length === 0;
    return modeOk && portOk;
  });
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
  const refs = targetRefsOf(spec);
  let atWaypoint = false;
  for (const ref of refs.slice(0, MAX_TARGETS)) {
    const r = checkRef(model, plugin, ref);
    problems.push(...r.problems);
    atWaypoint = atWaypoint || r.atWaypoint;
  }
  const ns = plugin.namespace;

  if (refs.length === 0 && labelsOf(model.namespaces.get(ns)?.manifest)[LABEL_DATAPLANE_MODE] === 'ambient') {
    problems.push(problem('WASM020', spec.selector !== undefined ? 'spec.selector' : 'spec.targetRefs',
      `${spec.selector !== undefined ? 'a selector-based' : 'a plugin with neither selector nor targets'} in ambient namespace ${ns}: waypoints ignore it, while ingress gateways in the namespace still run it`,
      spec.selector, 'attach it with targetRefs to the waypoint, Service or Gateway it should guard'));
  }
  const phase = spec.phase;
  if (spec.failStrategy === 'FAIL_OPEN' && AUTH_PHASES.includes(phase)) {
    problems.push(problem('WASM021', 'spec.failStrategy', `FAIL_OPEN on a ${phase} plugin: if the module cannot be fetched or crashes, every request passes unchecked`,
      spec.failStrategy, 'leave failStrategy unset (FAIL_CLOSE) for auth plugins'));
  }
  if (atWaypoint && !matchAllowsWaypoint(spec.match) && spec.type !== 'NETWORK') {
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
  const ref = entryRef(plugin);
  return problems.map((p) => problemToFinding(ref, p));
}
