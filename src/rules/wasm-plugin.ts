/**
 * Cross-object rules for one WasmPlugin: where its targets lead, and what Istio would silently ignore.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP, key, labelsOf } from '../model/manifest';
import { HTTP_ROUTE_KINDS, resolveParentRefs } from '../model/route-attachment';
import { routeProgram } from '../model/route-rules';
import { LABEL_DATAPLANE_MODE, LABEL_WAYPOINT_FOR, ingressUseWaypoint, resolveWaypoint, waypointTraffic } from '../model/waypoint-binding';
import {
  DeadRefReason, LABEL_GATEWAY_NAME, MAX_TARGETS, Place, ProxyKind, RefResolution, attaches, proxyKindOf, proxyPodLabels, httpListenerMatch,
  matchPasses, resolveTargets, selectorMatches, targetGroupFor, targetRefsOf,
} from '../model/attachment';
import { didYouMean } from '../model/suggest';
import { AUTH_PHASES, EXTENSION_PHASES, ExtensionBodyKind, WASM_BODY_FIELDS, extensionFieldPath, extensionOf, wasmPluginShape } from '../model/extension';
import { PHASE_ORDER } from '../model/extensions';
import { hasNoVip } from '../model/protocol';
import { FieldProblem, Finding, ObjectRef, problemToFinding, problemsText } from './finding';
import { jsonExact } from '../model/json-exact';
import { ADMISSION_CODES, severityOf } from './codes';
import { MATCH_MODES, WASM_ENUMS, checkEnum, checkLength, checkPort, checkPriority, checkSha256, checkUrl, checkVmEnv, urlScheme } from './wasm-fields';
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
    case DeadRefReason.UNSUPPORTED_KIND:
      // field-local: checkTargetRefFields reports them (WASM003, WASM004)
      return undefined;
    case DeadRefReason.MISSING_GATEWAY: {
      const names = model.namesIn(model.gateways, ns);
      // `<gateway>-istio` is the Deployment and Service istiod makes for a Gateway, a common mix-up
      const deployed = typeof ref.name === 'string' ? ref.name.replace(/-istio$/, '') : ref.name;
      const typo = deployed !== ref.name && names.includes(deployed) ? `did you mean ${JSON.stringify(deployed)}? ` : didYouMean(ref.name, names);
      return problem('WASM005', `${ref.field}.name`, `no Gateway of that name in namespace ${ns}, so the plugin applies to nothing`, ref.name,
        `${typo}create Gateway ${ns}/${ref.name} or name an existing one (the Gateway name, not its "-istio" Deployment)`,
        `${typo}target the Waypoint or IngressGateway construct itself (a Gateway name, not its "-istio" Deployment's), or define one named ${JSON.stringify(ref.name)} in namespace ${ns}`);
    }
    case DeadRefReason.FOREIGN_GATEWAY: {
      const controller = model.gatewayController(r.target!);
      return problem('WASM014', `${ref.field}.name`,
        `Gateway ${ns}/${ref.name} has class ${JSON.stringify(model.gatewayClassName(r.target!))}, whose controller ${controller === undefined ? '(none: no GatewayClass of that name, and not a built-in class)' : JSON.stringify(controller)} istiod does not run as a proxy, so the plugin applies to nothing`,
        ref.name, 'target a Gateway of class istio (ingress) or istio-waypoint, or a class whose controllerName is istio.io/gateway-controller or istio.io/mesh-controller',
        'target an IngressGateway or a Waypoint');
    }
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
    case DeadRefReason.HEADLESS:
      return problem('WASM009', `${ref.field}.name`,
        `Service ${ns}/${ref.name} is headless (clusterIP: None): clients reach its pods by pod IP, and waypoint ${r.binding!.waypoint!.namespace}/${r.binding!.waypoint!.name} builds no chain a Service without a virtual IP can reach, so the plugin never runs (for an auth plugin, an open door)`,
        ref.name, 'give the Service a cluster IP, or bind its pods to a waypoint with istio.io/waypoint-for: workload (or all) and target that waypoint Gateway');
    case DeadRefReason.EAST_WEST_SERVICE:
      return problem('WASM009', `${ref.field}.name`,
        `${ref.kind} ${ns}/${ref.name} is bound to east-west gateway ${r.binding!.waypoint!.namespace}/${r.binding!.waypoint!.name}, whose chains are built without a Service, so a Service target never matches there`,
        ref.name, 'bind the Service to a waypoint of class istio-waypoint');
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

const SPEC_BY_OBJECT = new WeakMap<object, readonly FieldProblem[]>();
const SPEC_BY_CONTENT = new Map<string, readonly FieldProblem[]>();
const SPEC_MEMO_LIMIT = 10_000;

/**
 * Field-local checks of a WasmPlugin spec (no other object needed). A pure function of the spec, asked for each
 * plugin several times and, at scale, for thousands of plugins that differ only in namespace: answered once per
 * spec object, and once per content where JSON carries the spec exactly (a fresh array each time).
 */
export function checkWasmPluginSpec(spec: any): FieldProblem[] {
  if (spec === null || typeof spec !== 'object') return checkWasmPluginSpecOnce(spec);
  let found = SPEC_BY_OBJECT.get(spec);
  if (!found) {
    const key = jsonExact(spec) ? JSON.stringify(spec) : undefined;
    found = key === undefined ? undefined : SPEC_BY_CONTENT.get(key);
    if (!found) {
      found = checkWasmPluginSpecOnce(spec);
      if (key !== undefined) {
        if (SPEC_BY_CONTENT.size >= SPEC_MEMO_LIMIT) SPEC_BY_CONTENT.clear();
        SPEC_BY_CONTENT.set(key, found);
      }
    }
    SPEC_BY_OBJECT.set(spec, found);
  }
  return [...found];
}

function checkWasmPluginSpecOnce(spec: any): FieldProblem[] {
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
  out.push(...checkTargetRefFields(targetRefsOf(spec)));
  if (spec?.selector !== undefined) out.push(...checkSelector(spec.selector));
  const scheme = typeof spec?.url === 'string' ? urlScheme(spec.url) : '';
  if ((scheme === 'http' || scheme === 'https') && (spec?.sha256 === undefined || spec.sha256 === '')) {
    const who = scheme === 'http' ? 'whoever controls that server or can tamper with the plain-text download' : 'whoever controls that server';
    out.push(problem('WASM028', 'spec.sha256', `is not set for a module fetched over ${scheme}://, so the istio-agent runs whatever the server returns${isAuthPluginSpec(spec) ? `: for an auth plugin, ${who} decides who gets in` : ''}`,
      spec.sha256, 'set sha256 to the module\'s 64-hex sha256 digest (sha256sum module.wasm), or publish it as an OCI image pinned by digest'));
  }
  if (isBasicAuthUrl(spec?.url)) out.push(...checkBasicAuthConfig(spec?.pluginConfig), ...checkBasicAuthHasRules(spec?.pluginConfig));
  return out;
}

const GROUP_PATTERN = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND_PATTERN = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/**
 * What the CRD and the webhook check in each target reference (`validatePolicyTargetReference`, the CRD
 * schema): a name, a group and kind pattern, an empty namespace, and a group/kind Istio attaches to.
 */
export function checkTargetRefFields(refs: ReturnType<typeof targetRefsOf>): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const ref of refs) {
    if (ref.name === '' || ref.name.length > 253) {
      out.push(problem('WASM015', `${ref.field}.name`, 'must be a name of 1 to 253 characters (the webhook: "targetRef name must be set")', ref.name, 'name the target object'));
    }
    const group = ref.group === 'core' ? '' : ref.group;
    if (ref.group !== 'core' && (!GROUP_PATTERN.test(group) || group.length > 253)) {
      out.push(problem('WASM015', `${ref.field}.group`, 'is not a DNS subdomain, which the CRD requires', group, 'write the API group in lower case, e.g. gateway.networking.k8s.io, or "" for Service'));
    }
    if (!KIND_PATTERN.test(ref.kind) || ref.kind.length > 63) {
      out.push(problem('WASM015', `${ref.field}.kind`, 'must be a kind name of 1 to 63 characters, which the CRD requires', ref.kind, 'write the kind, e.g. Gateway or Service'));
    } else {
      const want = targetGroupFor(ref.kind);
      if (want === undefined || want !== ref.group) {
        out.push(problem('WASM004', `${ref.field}.${want === undefined ? 'kind' : 'group'}`,
          `${ref.group}/${ref.kind} is not a target Istio attaches plugins to (the webhook rejects it)`, want === undefined ? ref.kind : group,
          want === undefined ? 'target a Gateway, GatewayClass (gateway.networking.k8s.io), Service (core) or ServiceEntry (networking.istio.io)' :
            `set group: ${JSON.stringify(want === 'core' ? '' : want)} for kind ${ref.kind}`,
          'target a Waypoint, an IngressGateway, or PolicyTarget.gateway(), .fromService(), .service(), .serviceEntry() or .gatewayClass()'));
      }
    }
    if (ref.namespace !== undefined && ref.namespace !== '') {
      out.push(problem('WASM003', `${ref.field}.namespace`,
        'must be empty: the CRD rejects any namespace in a target reference ("cross namespace referencing is not currently supported")', ref.namespace,
        'drop namespace from the target reference, and create the plugin in its target\'s namespace',
        `target the ${ref.kind} in its own AmbientNamespace: define the plugin in AmbientNamespace ${ref.namespace} (or pass namespace: ${JSON.stringify(ref.namespace)})`));
    }
  }
  return out;
}

/**
 * `selector.matchLabels` as the CRD and the webhook check it (`validateWorkloadSelector`): no empty key, no
 * "*" in keys or values, values of at most 63 characters, at most 4096 entries.
 */
export function checkSelector(selector: any, field = 'spec.selector'): FieldProblem[] {
  const labels = selector?.matchLabels;
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    return [problem('WASM015', `${field}.matchLabels`, 'must be a map of label names to values', labels, 'write matchLabels as a map, e.g. { app: productpage }')];
  }
  const out: FieldProblem[] = [];
  const entries = Object.entries(labels);
  if (entries.length > 4096) out.push(problem('WASM015', `${field}.matchLabels`, 'holds more than 4096 labels', entries.length, 'select with fewer labels'));
  for (const [k, v] of entries) {
    const f = `${field}.matchLabels[${JSON.stringify(k)}]`;
    if (k === '') out.push(problem('WASM015', f, 'has an empty key, which the CRD rejects ("key must not be empty")', k, 'remove the entry or name the label'));
    if (k.includes('*')) out.push(problem('WASM015', f, 'has "*" in the key, which the CRD rejects ("wildcard not allowed in label key match")', k, 'write the exact label name; selectors match labels exactly'));
    if (typeof v !== 'string') out.push(problem('WASM015', f, 'must be a string', v, 'quote the label value'));
    else {
      if (v.includes('*')) out.push(problem('WASM015', f, 'has "*" in the value, which the CRD rejects ("wildcard not allowed in label value match")', v, 'write the exact label value; selectors match labels exactly'));
      if (v.length > 63) out.push(problem('WASM015', f, 'is longer than 63 characters, which the CRD rejects', v, 'use a label value of at most 63 characters'));
    }
  }
  return out;
}

/**
 * Why a WasmPlugin or TrafficExtension never takes part in any chain: the API server or the webhook refuses
 * it, or istiod discards it (push_context.go `initTrafficExtensions`, `convertToTrafficExtensionWrapper`);
 * undefined when it exists. The one answer the simulator and the conformance cases read.
 */
export function refusalOf(entry: Entry): string | undefined {
  const spec = entry.manifest.spec ?? {};
  const isTe = entry.kind === 'TrafficExtension';
  const rawPhase = spec.phase ?? 'UNSPECIFIED_PHASE';
  if (isTe && spec.lua !== undefined && spec.wasm === undefined) {
    const code = spec.lua?.inlineCode;
    if (typeof code !== 'string' || code === '' || code.length > 65536) return 'lua.inlineCode must hold 1 to 65536 characters; istiod drops it';
    if (spec.phase !== undefined && !EXTENSION_PHASES.includes(spec.phase)) {
      return `phase ${JSON.stringify(rawPhase)} is not one of ${EXTENSION_PHASES.join(', ')}; the API server refuses it`;
    }
    return undefined;
  }
  if (isTe && (spec.lua !== undefined) === (spec.wasm !== undefined)) return 'exactly one of wasm or lua must be set; the API server refuses it';
  if (!PHASE_ORDER.includes(extensionOf(entry).phase)) {
    return `phase ${JSON.stringify(rawPhase)} is not one of ${PHASE_ORDER.join(', ')}; the API server refuses it`;
  }
  const rawType = (isTe ? spec.wasm?.type : spec.type) ?? 'UNSPECIFIED_PLUGIN_TYPE';
  if (!['UNSPECIFIED_PLUGIN_TYPE', 'HTTP', 'NETWORK'].includes(rawType)) return `type ${JSON.stringify(rawType)} is not HTTP or NETWORK; the API server refuses it`;
  const asWasm = checkedSpecOf(entry);
  const problems = admissionProblems(asWasm);
  if (problems.length > 0) return `the API server or Istio's webhook refuses it: ${problemsText(problems)}`;
  const dropped = checkWasmPluginSpec(asWasm).find((p) => p.code === 'WASM030');
  return dropped ? `istiod discards it: ${dropped.field}: ${dropped.message}` : undefined;
}

/**
 * What makes the API server or Istio's webhook refuse the plugin (codes in {@link ADMISSION_CODES}): such an
 * object never exists, so nothing of it runs.
 */
export function admissionProblems(spec: any): FieldProblem[] {
  return checkWasmPluginSpec(spec).filter((p) => ADMISSION_CODES.has(p.code) && p.severity === 'error');
}

/** An auth plugin: phase AUTHN or AUTHZ, or the basic_auth module whatever its phase. */
export function isAuthPluginSpec(spec: any): boolean {
  return AUTH_PHASES.includes(spec?.phase) || isBasicAuthUrl(spec?.url);
}

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
  if (place.kind === ProxyKind.EAST_WEST && !network) {
    return { ok: false, why: `${placeName(place)} is an east-west gateway, which builds TCP chains only (listener_waypoint.go), so an HTTP plugin never runs there` };
  }
  if (place.kind === ProxyKind.WAYPOINT || place.kind === ProxyKind.EAST_WEST) {
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

/**
 * The spec the shared checks read: a WasmPlugin's own, or a TrafficExtension in WasmPlugin shape (its Wasm
 * settings beside the shared fields), so both kinds go through the same functions.
 */
function checkedSpecOf(plugin: Entry): any {
  return wasmPluginShape(extensionOf(plugin));
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
  const plugins = model.entries.filter((e) => e.kind === 'WasmPlugin' || e.kind === 'TrafficExtension').filter((e) => e.group === 'extensions.istio.io');
  for (const plugin of plugins) {
    let list: Place[] = resolveTargets(model, plugin).flatMap((r) => r.places);
    if (list.length === 0 && targetRefsOf(plugin.manifest.spec, plugin.kind).length === 0) {
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

/** Whether two places of one proxy are chains a request can take together (a whole proxy, or the same Service). */
function sameChain(a: Place, b: Place): boolean {
  return !(a.service && b.service && a.service !== b.service);
}

/**
 * Plugins of the same namespace that run beside `plugin` on a chain with the same phase, chain type and the
 * same explicit priority: istiod then orders them by creationTimestamp, then by name.
 */
function equalPriorityNeighbours(model: MeshModel, plugin: Entry): { names: string[]; where: string } {
  const { places, byProxy } = placementOf(model);
  const mine = extensionOf(plugin);
  const names = new Set<string>();
  let where = '';
  if (mine.priority === undefined) return { names: [], where };
  for (const place of places.get(plugin) ?? []) {
    for (const other of byProxy.get(place.proxy) ?? []) {
      if (other.plugin === plugin || other.plugin.namespace !== plugin.namespace || !sameChain(place, other.place)) continue;
      const k = extensionOf(other.plugin);
      if (k.priority !== mine.priority || k.phase !== mine.phase || k.chainType !== mine.chainType) continue;
      if (!names.has(other.plugin.name) && where === '') where = placeName(place);
      names.add(other.plugin.name);
    }
  }
  return { names: [...names].sort(), where };
}

/**
 * IST0166 (istio@1.30.3:pkg/config/analysis/analyzers/k8sgateway/workloadselector.go): a plugin without
 * targetRef whose selector matches the pods of a Gateway API gateway in its namespace; the pods are those
 * istiod deploys for the Istio-run Gateways of the manifests, and Pods in the manifests with the gateway-name
 * label.
 */
function ineffectiveSelectorGateways(model: MeshModel, plugin: Entry): string[] {
  const spec = plugin.manifest.spec ?? {};
  if (spec.selector === undefined || spec.selector === null || spec.targetRef !== undefined) return [];
  const out = new Set<string>();
  const { gateways, pods } = gatewayPodsIn(model, plugin.namespace);
  for (const gw of gateways) {
    if (selectorMatches(spec.selector, proxyPodLabels(gw, model))) out.add(gw.name);
  }
  for (const e of pods) {
    const labels = labelsOf(e.manifest);
    if (selectorMatches(spec.selector, labels)) out.add(labels[LABEL_GATEWAY_NAME]);
  }
  return [...out].sort();
}

const GATEWAY_PODS = new WeakMap<MeshModel, Map<string, { gateways: Entry[]; pods: Entry[] }>>();

/**
 * Per namespace, in input order: the Gateways that run a proxy, and the Pods with the gateway-name label (the
 * candidates of {@link ineffectiveSelectorGateways}), indexed once per model so a plugin reads only its own.
 */
function gatewayPodsIn(model: MeshModel, ns: string): { gateways: Entry[]; pods: Entry[] } {
  let idx = GATEWAY_PODS.get(model);
  if (!idx) {
    const index = new Map<string, { gateways: Entry[]; pods: Entry[] }>();
    const at = (n: string) => {
      let v = index.get(n);
      if (!v) index.set(n, v = { gateways: [], pods: [] });
      return v;
    };
    for (const gw of model.gateways.values()) if (proxyKindOf(model, gw) !== undefined) at(gw.namespace).gateways.push(gw);
    for (const e of model.entries) {
      if (e.kind === 'Pod' && e.group === 'core' && labelsOf(e.manifest)[LABEL_GATEWAY_NAME] !== undefined) at(e.namespace).pods.push(e);
    }
    GATEWAY_PODS.set(model, idx = index);
  }
  return idx.get(ns) ?? { gateways: [], pods: [] };
}

interface IngressPath {
  readonly gateway: Entry;
  readonly route: Entry;
  readonly service: Entry;
}

const INGRESS_PATHS = new WeakMap<MeshModel, IngressPath[]>();

/**
 * The Services an Istio ingress gateway sends to: the backends of every HTTPRoute and GRPCRoute that attaches to one
 * of its listeners, as the model resolves them for the GW rules and the simulator (`model/route-attachment.ts`
 * parentRefs, listener hostnames, namespaces and kinds; `model/route-rules.ts` backends with weight, grants and
 * ports). A route istiod refuses, an attachment the manifests leave undecided, and a backend that gets no traffic
 * (500) make no path.
 */
function ingressPaths(model: MeshModel): IngressPath[] {
  let paths = INGRESS_PATHS.get(model);
  if (paths) return paths;
  paths = [];
  const seen = new Map<Entry, Set<Entry>>(); // gateway -> services with a path already
  for (const route of model.entries) {
    if (route.group !== GATEWAY_GROUP || !HTTP_ROUTE_KINDS.includes(route.kind)) continue;
    const gateways = resolveParentRefs(model, route).filter((p) => p.ingress && p.verdict === 'yes' && p.gateway).map((p) => p.gateway!);
    if (gateways.length === 0) continue;
    for (const rule of routeProgram(model, route).rules) {
      for (const b of rule.backends) {
        if (b.failure !== undefined || b.target?.kind !== 'Service') continue;
        const svc = b.target;
        for (const gw of gateways) {
          let done = seen.get(gw);
          if (!done) seen.set(gw, done = new Set());
          if (done.has(svc)) continue;
          done.add(svc);
          paths.push({ gateway: gw, route, service: svc });
        }
      }
    }
  }
  INGRESS_PATHS.set(model, paths);
  return paths;
}

/**
 * Ingress paths that skip an auth plugin of a waypoint: the gateway sends straight to the Service's pods (no
 * `ingress-use-waypoint`, or a headless Service), and no auth plugin runs at the gateway itself.
 */
function ingressSkips(model: MeshModel, plugin: Entry): IngressPath[] {
  const spec = checkedSpecOf(plugin);
  if (!isAuthPluginSpec(spec)) return [];
  const { places } = placementOf(model);
  const mine = (places.get(plugin) ?? []).filter((p) => p.kind === ProxyKind.WAYPOINT);
  if (mine.length === 0) return [];
  const byWaypoint = unguardedPathsByWaypoint(model);
  // the paths of the plugin's waypoints only, in the order of ingressPaths
  const found = new Set<number>();
  for (const place of mine) {
    for (const i of byWaypoint.get(place.proxy) ?? []) {
      if (!place.service || place.service === byWaypoint.paths[i].service) found.add(i);
    }
  }
  return [...found].sort((a, b) => a - b).map((i) => byWaypoint.paths[i]);
}

type PathsByWaypoint = Map<Entry, number[]> & { paths: IngressPath[] };
const UNGUARDED = new WeakMap<MeshModel, PathsByWaypoint>();

/**
 * The ingress paths that reach a Service's pods without its waypoint and without an auth plugin at the gateway,
 * by the waypoint that serves the Service (indexes into `paths`, the list of {@link ingressPaths}); what
 * {@link ingressSkips} asks for each plugin, computed once per model.
 */
function unguardedPathsByWaypoint(model: MeshModel): PathsByWaypoint {
  let idx = UNGUARDED.get(model);
  if (idx) return idx;
  const { byProxy } = placementOf(model);
  const paths = ingressPaths(model);
  idx = Object.assign(new Map<Entry, number[]>(), { paths });
  const guarded = new Map<Entry, boolean>();
  paths.forEach((path, i) => {
    const binding = resolveWaypoint(model, path.service, 'service');
    if (!binding.waypoint) return;
    if (ingressUseWaypoint(model, path.service).on && !hasNoVip(path.service)) return;
    let g = guarded.get(path.gateway);
    if (g === undefined) {
      g = (byProxy.get(path.gateway) ?? []).some((o) => o.place.kind === ProxyKind.INGRESS && isAuthPluginSpec(checkedSpecOf(o.plugin)));
      guarded.set(path.gateway, g);
    }
    if (g) return;
    const list = idx!.get(binding.waypoint);
    if (list) list.push(i); else idx!.set(binding.waypoint, [i]);
  });
  UNGUARDED.set(model, idx);
  return idx;
}

/** Plugins with a priority that run beside `plugin` (same proxy and chain, phase and filter type). */
function prioritizedNeighbours(model: MeshModel, plugin: Entry): string[] {
  const { places, byProxy } = placementOf(model);
  const phase = phaseOf(checkedSpecOf(plugin));
  const type = typeOf(checkedSpecOf(plugin));
  const names = new Set<string>();
  for (const place of places.get(plugin) ?? []) {
    for (const other of byProxy.get(place.proxy) ?? []) {
      const spec = checkedSpecOf(other.plugin);
      if (other.plugin === plugin || !hasPriority(spec)) continue;
      if (phaseOf(spec) !== phase || typeOf(spec) !== type) continue;
      // two Service-scoped plugins run together only on the same Service's chain
      if (place.service && other.place.service && place.service !== other.place.service) continue;
      names.add(other.plugin.namespace === plugin.namespace ? other.plugin.name : `${other.plugin.namespace}/${other.plugin.name}`);
    }
  }
  return [...names].sort();
}

/**
 * Every rule about one WasmPlugin, given the whole model; for a TrafficExtension, the rules on the fields the
 * two kinds share (targets, match, phase, priority, selector, and the Wasm settings of a Wasm body), with
 * field paths in the TrafficExtension's own terms.
 */
export function checkWasmPlugin(model: MeshModel, plugin: Entry): Finding[] {
  const spec = checkedSpecOf(plugin);
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
  const ties = equalPriorityNeighbours(model, plugin);
  if (ties.names.length > 0) {
    problems.push(problem('WASM026', 'spec.priority',
      `is ${spec.priority}, the same as ${ties.names.join(', ')} on ${ties.where} in phase ${extensionOf(plugin).phase}: istiod then runs them by creationTimestamp (whole seconds, the same for one sync), then by name (${JSON.stringify(extensionOf(plugin).sortName)})`,
      spec.priority, 'give each plugin of the phase its own priority (higher runs first)'));
  }
  const gateways = ineffectiveSelectorGateways(model, plugin);
  if (gateways.length > 0) {
    problems.push(problem('WASM027', 'spec.selector',
      `matches the pods of Gateway API gateway ${gateways.join(', ')} (istioctl analyze: IST0166 IneffectiveSelector): waypoints never honour a selector, and gateways apply one only while ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on`,
      spec.selector, `replace selector with targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: ${gateways[0]} }]`));
  }
  const skips = ingressSkips(model, plugin);
  if (skips.length > 0) {
    const s0 = skips[0];
    const more = skips.length > 1 ? ` (and ${skips.length - 1} more)` : '';
    problems.push(problem('WASM029', 'spec.targetRefs',
      `guards Service ${s0.service.namespace}/${s0.service.name} at its waypoint, but ingress gateway ${s0.gateway.namespace}/${s0.gateway.name} (${s0.route.kind} ${s0.route.namespace}/${s0.route.name}) sends straight to the Service's pods, and no auth plugin runs at that gateway: ingress traffic skips this plugin${more}`,
      skips.map((x) => `${x.gateway.name} -> ${x.service.name}`),
      hasNoVip(s0.service) ? `attach an auth plugin to Gateway ${s0.gateway.namespace}/${s0.gateway.name} (a headless Service never sends ingress traffic to its waypoint)` :
        `label Service ${s0.service.namespace}/${s0.service.name} istio.io/ingress-use-waypoint: "true", or attach an auth plugin to Gateway ${s0.gateway.namespace}/${s0.gateway.name}`));
  }
  if (typeof spec.imagePullSecret === 'string' && spec.imagePullSecret !== '') {
    problems.push(...checkPullSecret(model, ns, spec.imagePullSecret));
  }
  if (isBasicAuthUrl(spec.url)) problems.push(...checkPlaintextCredentials(spec.pluginConfig));
  const ref = entryRef(plugin);
  if (plugin.kind !== 'TrafficExtension') return problems.map((p) => problemToFinding(ref, p));
  const x = extensionOf(plugin);
  // a Lua body (or none) has no Wasm settings: the checks of those fields do not apply
  const wasmBody = x.bodyKind === ExtensionBodyKind.WASM;
  const isBodyField = (f: string) => WASM_BODY_FIELDS.includes(/^spec\.([A-Za-z0-9]+)/.exec(f)?.[1] ?? '');
  return problems.filter((p) => wasmBody || !isBodyField(p.field)).map((p) => problemToFinding(ref, { ...p, field: extensionFieldPath(x, p.field) }));
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
