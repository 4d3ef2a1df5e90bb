/**
 * Cross-object rules for one WasmPlugin: where its targets lead, and what Istio would silently ignore.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { key, labelsOf } from '../model/manifest';
import { LABEL_DATAPLANE_MODE, LABEL_WAYPOINT_FOR, waypointTraffic } from '../model/waypoint-binding';
import {
  DeadRefReason, MAX_TARGETS, Place, ProxyKind, RefResolution, attaches, proxyKindOf, httpListenerMatch, matchPasses, resolveTargets, targetGroupFor,
} from '../model/attachment';
import { didYouMean } from '../model/suggest';
import { FieldProblem, Finding, ObjectRef, problemToFinding } from './finding';
import { severityOf } from './codes';
import { MATCH_MODES, WASM_ENUMS, checkEnum, checkLength, checkPort, checkPriority, checkSha256, checkUrl, checkVmEnv } from './wasm-fields';
import { checkBasicAuthConfig, checkBasicAuthHasRules, checkPlaintextCredentials, isBasicAuthUrl } from './basic-auth';

export { ISTIO_GATEWAY_CLASSES, MAX_TARGETS, TargetRef, targetRefsOf } from '../model/attachment';

export function entryRef(e: Entry): ObjectRef {
  return { kind: e.kind, namespace: e.namespace, name: e.name, origin: e.origin, source: e.source };
}

/** A problem; `apiFix` gives the fix in the construct API's words where they differ from the YAML's. */
function problem(code: string, field: string, message: string, value: unknown, fix: string, apiFix?: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix, ...(apiFix !== undefined ? { apiFix } : {}) };
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
          `create the plugin in namespace ${ref.namespace}, beside its target, and drop namespace from the reference`,
        ref.namespace === ns ? undefined :
          `target the ${ref.kind} in its own AmbientNamespace: define the plugin in AmbientNamespace ${ref.namespace} (or pass namespace: ${JSON.stringify(ref.namespace)})`);
    case DeadRefReason.UNSUPPORTED_KIND: {
      const want = targetGroupFor(ref.kind);
      const fix = want === undefined ? 'target a Gateway, GatewayClass (gateway.networking.k8s.io), Service (core) or ServiceEntry (networking.istio.io)' :
        `set group: ${JSON.stringify(want === 'core' ? '' : want)} for kind ${ref.kind}`;
      return problem('WASM004', `${ref.field}.${want === undefined ? 'kind' : 'group'}`,
        `${ref.group}/${ref.kind} is not a target Istio attaches plugins to`, want === undefined ? ref.kind : (ref.group === 'core' ? '' : ref.group), fix,
        'target a Waypoint, an IngressGateway, or PolicyTarget.gateway(), .fromService(), .service(), .serviceEntry() or .gatewayClass()');
    }
    case DeadRefReason.MISSING_GATEWAY: {
      const names = model.namesIn(model.gateways, ns);
      // `<gateway>-istio` is the Deployment and Service istiod makes for a Gateway, a common mix-up
      const deployed = typeof ref.name === 'string' ? ref.name.replace(/-istio$/, '') : ref.name;
      const typo = deployed !== ref.name && names.includes(deployed) ? `did you mean ${JSON.stringify(deployed)}? ` : didYouMean(ref.name, names);
      return problem('WASM005', `${ref.field}.name`, `no Gateway of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
        `${typo}create Gateway ${ns}/${ref.name} or name an existing one (the Gateway name, not its "-istio" Deployment)`,
        `${typo}target the Waypoint or IngressGateway construct itself (a Gateway name, not its "-istio" Deployment's), or define one named ${JSON.stringify(ref.name)} in namespace ${ns}`);
    }
    case DeadRefReason.FOREIGN_GATEWAY:
      return problem('WASM014', `${ref.field}.name`,
        `Gateway ${ns}/${ref.name} has class ${JSON.stringify(model.gatewayClassName(r.target!))}, which Istio does not run, so the plugin applies to nothing`,
        ref.name, 'target a Gateway of class istio (ingress) or istio-waypoint', 'target an IngressGateway or a Waypoint');
    case DeadRefReason.MISSING_SERVICE: {
      const index = ref.kind === 'Service' ? model.services : model.serviceEntries;
      const elsewhere = model.namesakes(index, ref.name)[0];
      const typo = elsewhere ? '' : didYouMean(ref.name, model.namesIn(index, ns));
      return problem(ref.kind === 'Service' ? 'WASM006' : 'WASM007', `${ref.field}.name`,
        `no ${ref.kind} of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
        elsewhere ? `move the plugin to namespace ${elsewhere.namespace}: a plugin must live in its ${ref.kind}'s namespace` :
          `${typo}create ${ref.kind} ${ns}/${ref.name} or name an existing one`,
        elsewhere ? `target the ${ref.kind} in its own AmbientNamespace: define the plugin in AmbientNamespace ${elsewhere.namespace} (or pass namespace: ${JSON.stringify(elsewhere.namespace)})` :
          `${typo}${ref.kind === 'Service' ? 'pass the Service construct to PolicyTarget.fromService()' : 'name an existing ServiceEntry'}, or define ${ref.kind} ${JSON.stringify(ref.name)} in namespace ${ns}`);
    }
    case DeadRefReason.NO_WAYPOINT:
      return problem('WASM009', `${ref.field}.name`,
        `${ref.kind} ${ns}/${ref.name} ${r.binding!.reason}: no waypoint serves it, so the plugin applies to nothing (for an auth plugin, an open door)`,
        ref.name, r.binding!.fix ?? 'bind the Service to a waypoint', r.binding!.apiFix);
    case DeadRefReason.WRONG_GATEWAY_CLASS:
      return problem('WASM008', `${ref.field}.name`, 'only GatewayClass istio-waypoint can be targeted; any other class matches nothing', ref.name,
        'target GatewayClass istio-waypoint from the root namespace, or target the Gateway itself',
        'target PolicyTarget.gatewayClass() from a plugin in the root namespace, or target the Waypoint itself');
    case DeadRefReason.NOT_ROOT_NAMESPACE:
      return problem('WASM008', `${ref.field}.name`, `a GatewayClass target works only from the root namespace ${model.rootNamespace}, not ${ns}`, ref.name,
        `create the plugin in namespace ${model.rootNamespace} (it then covers every waypoint in the mesh) or target the waypoint Gateway`,
        `pass namespace: ${JSON.stringify(model.rootNamespace)} to the plugin (it then covers every waypoint in the mesh), or target the Waypoint construct`);
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
  for (const [field, allowed] of WASM_ENUMS) out.push(...checkEnum(spec?.[field.slice('spec.'.length)], field, allowed));
  if (Array.isArray(spec?.match)) {
    spec.match.forEach((m: any, i: number) => {
      out.push(...checkEnum(m?.mode, `spec.match[${i}].mode`, MATCH_MODES));
      (Array.isArray(m?.ports) ? m.ports : []).forEach((p: any, j: number) => out.push(...checkPort(p?.number, `spec.match[${i}].ports[${j}].number`)));
    });
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
  const legacy = spec?.targetRef;
  if (!hasRefs && legacy && typeof legacy === 'object' && legacy.kind !== 'Gateway') {
    out.push(problem('WASM016', 'spec.targetRef.kind',
      'the legacy singular targetRef targets only Gateways on the Istio versions that need it (1.20-1.21); 1.22 and later honour it, but it is hidden from the API docs',
      legacy.kind, 'move the target to targetRefs (Istio 1.22 and later)'));
  }
  const refs = Array.isArray(spec?.targetRefs) ? spec.targetRefs : [];
  if (refs.length > MAX_TARGETS) {
    out.push(problem('WASM010', 'spec.targetRefs', `holds ${refs.length} targets, more than the ${MAX_TARGETS} allowed`, refs.length,
      'split the targets over several plugins'));
  }
  if (isBasicAuthUrl(spec?.url)) out.push(...checkBasicAuthConfig(spec?.pluginConfig), ...checkBasicAuthHasRules(spec?.pluginConfig));
  return out;
}

const AUTH_PHASES = ['AUTHN', 'AUTHZ'];

/** Phase as Istio orders it: unset and UNSPECIFIED_PHASE are the same slot. */
function phaseOf(spec: any): string {
  return typeof spec?.phase === 'string' && spec.phase !== 'UNSPECIFIED_PHASE' ? spec.phase : 'UNSPECIFIED_PHASE';
}

/** Filter chain kind: HTTP (unset, UNSPECIFIED_PLUGIN_TYPE, HTTP) or NETWORK. */
function typeOf(spec: any): string {
  return spec?.type === 'NETWORK' ? 'NETWORK' : 'HTTP';
}

function hasPriority(spec: any): boolean {
  return typeof spec?.priority === 'number';
}

function placeName(place: Place): string {
  const at = `${place.kind} ${place.proxy.namespace}/${place.proxy.name}`;
  return place.service ? `${at} (${place.service.kind} ${place.service.name})` : at;
}

/**
 * Whether the plugin's `match` (and, at a waypoint, the waypoint's traffic type) lets it run on a place;
 * the reason when it does not (SEMANTICS §1.3, §4.5).
 */
function runsAt(model: MeshModel, spec: any, place: Place): { ok: boolean; why?: string } {
  const network = typeOf(spec) === 'NETWORK';
  if (place.kind === ProxyKind.WAYPOINT) {
    if (!place.service) {
      const { traffic, raw } = waypointTraffic(model, place.proxy);
      if (traffic === 'none') return { ok: false, why: `${placeName(place)} has ${LABEL_WAYPOINT_FOR} ${JSON.stringify(raw)} and processes no traffic` };
    }
    // a NETWORK plugin runs on the waypoint's TCP chains, matched on the service port: only the mode is known here
    const listener = network ? { mode: 'SERVER' as const, port: -1 } : httpListenerMatch(ProxyKind.WAYPOINT, 0);
    const match = network && Array.isArray(spec.match) ? spec.match.map((m: any) => ({ ...(m ?? {}), ports: undefined })) : spec.match;
    if (matchPasses(match, listener)) return { ok: true };
    return { ok: false, why: `${placeName(place)} matches as mode SERVER${network ? '' : ' on port 0'}, which spec.match excludes` };
  }
  const listeners: any[] = Array.isArray(place.proxy.manifest.spec?.listeners) ? place.proxy.manifest.spec.listeners : [];
  const ports = listeners.map((l) => l?.port).filter((p): p is number => typeof p === 'number');
  if (ports.length === 0) return { ok: true }; // no listener to judge by: assume it runs
  if (ports.some((port) => matchPasses(spec.match, httpListenerMatch(ProxyKind.INGRESS, port)))) return { ok: true };
  return { ok: false, why: `${placeName(place)} matches as mode CLIENT on port ${ports.join(', ')}, which spec.match excludes` };
}

/** Where every plugin of a model runs, and which plugins share each proxy: built once per model. */
interface Placement {
  readonly places: Map<Entry, Place[]>;
  readonly byProxy: Map<Entry, Array<{ plugin: Entry; place: Place }>>;
}

const PLACEMENTS = new WeakMap<MeshModel, Placement>();

function placementOf(model: MeshModel): Placement {
  let p = PLACEMENTS.get(model);
  if (p) return p;
  const ingressByNs = new Map<string, Entry[]>();
  for (const gw of model.gateways.values()) {
    if (proxyKindOf(model, gw) !== ProxyKind.INGRESS) continue;
    const list = ingressByNs.get(gw.namespace);
    if (list) list.push(gw); else ingressByNs.set(gw.namespace, [gw]);
  }
  const places = new Map<Entry, Place[]>();
  const byProxy = new Map<Entry, Array<{ plugin: Entry; place: Place }>>();
  for (const plugin of model.wasmPlugins) {
    let list: Place[] = resolveTargets(model, plugin).flatMap((r) => r.places);
    if (list.length === 0 && targetRefsCount(plugin.manifest.spec) === 0) {
      // selector-based (or target-less) plugins run on the ingress gateways of their namespace, or of the mesh from the root namespace
      const gws = plugin.namespace === model.rootNamespace ? [...ingressByNs.values()].flat() : (ingressByNs.get(plugin.namespace) ?? []);
      list = gws.map((proxy): Place => ({ proxy, kind: ProxyKind.INGRESS })).filter((place) => attaches(model, plugin, place).attached);
    }
    places.set(plugin, list);
    for (const place of list) {
      const at = byProxy.get(place.proxy);
      if (at) at.push({ plugin, place }); else byProxy.set(place.proxy, [{ plugin, place }]);
    }
  }
  p = { places, byProxy };
  PLACEMENTS.set(model, p);
  return p;
}

function targetRefsCount(spec: any): number {
  return (Array.isArray(spec?.targetRefs) ? spec.targetRefs.length : 0) + (spec?.targetRef ? 1 : 0);
}

/** Plugins with a priority that run beside `plugin` (same proxy and chain, phase and filter type). */
function prioritizedNeighbours(model: MeshModel, plugin: Entry): string[] {
  const { places, byProxy } = placementOf(model);
  const phase = phaseOf(plugin.manifest.spec);
  const type = typeOf(plugin.manifest.spec);
  const names = new Set<string>();
  for (const place of places.get(plugin) ?? []) {
    for (const other of byProxy.get(place.proxy) ?? []) {
      if (other.plugin === plugin || !hasPriority(other.plugin.manifest.spec)) continue;
      if (phaseOf(other.plugin.manifest.spec) !== phase || typeOf(other.plugin.manifest.spec) !== type) continue;
      // two Service-scoped plugins run together only on the same Service's chain
      if (place.service && other.place.service && place.service !== other.place.service) continue;
      names.add(other.plugin.namespace === plugin.namespace ? other.plugin.name : `${other.plugin.namespace}/${other.plugin.name}`);
    }
  }
  return [...names].sort();
}

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
  const ns = plugin.namespace;
  const live = resolved.flatMap((r) => r.places);
  const verdicts = live.map((place) => ({ place, ...runsAt(model, spec, place) }));
  const runsSomewhere = verdicts.some((v) => v.ok);

  if (refs.length === 0 && labelsOf(model.namespaces.get(ns)?.manifest)[LABEL_DATAPLANE_MODE] === 'ambient') {
    problems.push(problem('WASM020', spec.selector !== undefined ? 'spec.selector' : 'spec.targetRefs',
      `${spec.selector !== undefined ? 'a selector-based plugin' : 'a plugin with neither selector nor targets'} in ambient namespace ${ns}: waypoints ignore it, while ingress gateways in the namespace still run it`,
      spec.selector, 'attach it with targetRefs to the waypoint, Service or Gateway it should guard',
      'give it targets instead of a selector: the Waypoint, PolicyTarget.fromService(), or the IngressGateway it should guard'));
  }
  const phase = spec.phase;
  if (spec.failStrategy === 'FAIL_OPEN' && AUTH_PHASES.includes(phase)) {
    problems.push(problem('WASM021', 'spec.failStrategy', `FAIL_OPEN on an ${phase} plugin: if the module cannot be fetched or crashes, every request passes unchecked`,
      spec.failStrategy, 'leave failStrategy unset (FAIL_CLOSE) for auth plugins'));
  }
  if (live.length > 0 && !runsSomewhere) {
    const whys = [...new Set(verdicts.map((v) => v.why!))];
    const shown = whys.slice(0, 2).join('; ') + (whys.length > 2 ? `; and ${whys.length - 2} more` : '');
    const byMatch = verdicts.some((v) => v.why!.includes('spec.match'));
    problems.push(problem('WASM017', byMatch ? 'spec.match' : 'spec.targetRefs',
      `the plugin can never run (for an auth plugin, an open door): ${shown}`, byMatch ? spec.match : refs.map((r) => r.name),
      byMatch ? 'drop match, or the ports and mode that exclude where the plugin attaches (waypoints: SERVER, port 0; ingress: CLIENT, listener port)'
        : `set ${LABEL_WAYPOINT_FOR} to service, workload or all on the waypoint, or target a waypoint that takes traffic`));
  } else if (runsSomewhere && verdicts.some((v) => !v.ok && v.place.kind === ProxyKind.WAYPOINT && v.why!.includes('spec.match'))) {
    problems.push(problem('WASM022', 'spec.match', 'excludes the waypoint: its HTTP chains match with mode SERVER and port 0, so match.ports or mode CLIENT never match there',
      spec.match, 'drop match (or ports and mode CLIENT) from a plugin that runs at a waypoint'));
  }
  if (live.some((place) => place.kind === ProxyKind.WAYPOINT) && spec.type === 'NETWORK') {
    problems.push(problem('WASM024', 'spec.type', 'a NETWORK plugin at a waypoint runs on TCP chains only and never sees HTTP service traffic',
      spec.type, 'use type HTTP (or leave it unset) for HTTP services'));
  }
  if (!hasPriority(spec)) {
    const prioritized = prioritizedNeighbours(model, plugin);
    if (prioritized.length > 0) {
      problems.push(problem('WASM023', 'spec.priority', `is unset while ${prioritized.join(', ')}, running beside it in the same phase, set one: unset sorts after every priority, negative ones included, not as 0`,
        spec.priority, 'set an explicit priority on every plugin of the phase'));
    }
  }
  if (typeof spec.imagePullSecret === 'string' && spec.imagePullSecret !== '') {
    problems.push(...checkPullSecret(model, ns, spec.imagePullSecret));
  }
  if (isBasicAuthUrl(spec.url)) problems.push(...checkPlaintextCredentials(spec.pluginConfig));
  const ref = entryRef(plugin);
  return problems.map((p) => problemToFinding(ref, p));
}

/**
 * `imagePullSecret` names a `kubernetes.io/dockerconfigjson` Secret that istiod always reads from the plugin's
 * namespace (a `namespace/` prefix in the value is overwritten).
 */
function checkPullSecret(model: MeshModel, ns: string, value: string): FieldProblem[] {
  const slash = value.indexOf('/');
  const name = slash < 0 ? value : value.slice(slash + 1);
  const named = slash < 0 ? undefined : value.slice(0, slash);
  const secret = model.secrets.get(key(ns, name));
  if (named !== undefined && named !== ns) {
    return [problem('WASM013', 'spec.imagePullSecret', `names namespace ${named}, but Istio reads the pull Secret from the plugin namespace ${ns} only (it looks up ${ns}/${name})`,
      value, `create Secret ${name} (type kubernetes.io/dockerconfigjson) in namespace ${ns} and write imagePullSecret: ${JSON.stringify(name)}`)];
  }
  if (!secret) {
    const elsewhere = model.namesakes(model.secrets, name).find((e) => e.namespace !== ns);
    if (elsewhere) {
      return [problem('WASM013', 'spec.imagePullSecret', `Secret ${name} exists in namespace ${elsewhere.namespace}, but Istio reads the pull Secret from the plugin namespace ${ns} only`,
        value, `create the Secret in namespace ${ns} too (type kubernetes.io/dockerconfigjson)`)];
    }
    return [problem('WASM025', 'spec.imagePullSecret', `Secret ${ns}/${name} is not among the manifests; it must exist in the plugin namespace before the module is pulled`,
      value, 'make sure the Secret is created in the same namespace (sealed or external secrets are fine)')];
  }
  if (secret.manifest.type !== 'kubernetes.io/dockerconfigjson') {
    return [problem('WASM013', 'spec.imagePullSecret', `Secret ${ns}/${name} has type ${JSON.stringify(secret.manifest.type ?? 'Opaque')}; Istio only reads kubernetes.io/dockerconfigjson`,
      value, 'create the Secret with type kubernetes.io/dockerconfigjson (kubectl create secret docker-registry)')];
  }
  return [];
}
