import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  TrafficExtension as TrafficExtensionL1, TrafficExtensionProps as TrafficExtensionL1Props, WasmPlugin as WasmPluginL1, WasmPluginProps as WasmPluginL1Props,
} from '../imports/extensions.istio.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { FieldProblem, Severity } from '../rules/finding';
import { checkObjectName, checkPriority, checkVmEnv } from '../rules/wasm-fields';
import {
  matchProblems, moduleProblems, pluginConfigProblems, renderMatch, renderMetadata, renderTargetRef, renderTrafficExtensionSpec, renderWasmBody,
  targetProblems,
} from '../private/extension-spec';
import { IPolicyTarget, PolicyTargetReference } from '../core/policy-target';
import { WasmSource } from './wasm-source';
import { checkJsonMap, checkList, checkMetadataMap, constructWhere, isPolicyTargetLike, propError, requiredProps } from '../private/props';

/** Where in the filter chain the plugin runs (`spec.phase`). */
export enum PluginPhase {
  /** Let Istio decide: after the Istio stats filter. */
  UNSPECIFIED = 'UNSPECIFIED_PHASE',
  /** Before Istio authentication (JWT, PeerAuthentication). */
  AUTHN = 'AUTHN',
  /** After authentication, before Istio authorization (RBAC). */
  AUTHZ = 'AUTHZ',
  /** After authorization, before the stats filter. */
  STATS = 'STATS',
}

/** What happens when the module cannot be fetched or the VM fails (`spec.failStrategy`). */
export enum FailStrategy {
  /** Deny: a fetch failure installs a deny-all filter (403), a VM failure answers 503. Istio's default. */
  FAIL_CLOSE = 'FAIL_CLOSE',
  /** Skip the plugin: every request passes as if it were absent. */
  FAIL_OPEN = 'FAIL_OPEN',
  /** Recreate the VM after a runtime failure, else behave as FAIL_CLOSE. */
  FAIL_RELOAD = 'FAIL_RELOAD',
}

/** When the istio-agent fetches the module again (`spec.imagePullPolicy`). */
export enum ImagePullPolicy {
  /** `Always` for an OCI `:latest` tag, otherwise `IfNotPresent`. */
  UNSPECIFIED = 'UNSPECIFIED_POLICY',
  /** Use the cached module. */
  IF_NOT_PRESENT = 'IfNotPresent',
  /** Fetch again whenever the plugin object changes. */
  ALWAYS = 'Always',
}

/** HTTP filter or network (L4) filter (`spec.type`). */
export enum PluginType {
  /** HTTP (the default). */
  UNSPECIFIED = 'UNSPECIFIED_PLUGIN_TYPE',
  /** An HTTP filter. */
  HTTP = 'HTTP',
  /** A network filter; at a waypoint it runs on TCP chains only. */
  NETWORK = 'NETWORK',
}

/** Traffic direction a `match` entry selects. */
export enum TrafficMode {
  /** Both directions. */
  UNDEFINED = 'UNDEFINED',
  /** Outbound (sidecar outbound, ingress gateways). */
  CLIENT = 'CLIENT',
  /** Inbound (sidecar inbound, waypoints). */
  SERVER = 'SERVER',
  /** Both directions. */
  CLIENT_AND_SERVER = 'CLIENT_AND_SERVER',
}

/** The kind of object an extension construct writes. */
export enum ExtensionResource {
  /** `WasmPlugin` (extensions.istio.io/v1alpha1), every Istio release since 1.12. */
  WASM_PLUGIN = 'WasmPlugin',
  /**
   * `TrafficExtension` (extensions.istio.io/v1alpha1), Istio 1.30 and later: the Wasm settings go under
   * `spec.wasm`. istiod treats a WasmPlugin as a TrafficExtension named `<name>~istio-translated-wasmplugin`,
   * so both run in one order.
   */
  TRAFFIC_EXTENSION = 'TrafficExtension',
}

/** Source of a VM environment variable. */
export enum EnvValueSource {
  /** The value given here. */
  INLINE = 'INLINE',
  /** Copied from the proxy's own environment. */
  HOST = 'HOST',
}

/** An environment variable of the Wasm VM (`spec.vmConfig.env[]`). */
export interface VmEnvVar {
  /** Variable name. */
  readonly name: string;
  /**
   * Value; must be unset when `valueFrom` is HOST.
   *
   * @default - empty, or the host's value
   */
  readonly value?: string;
  /**
   * Where the value comes from.
   *
   * @default - INLINE
   */
  readonly valueFrom?: EnvValueSource;
}

/** One `spec.match[]` entry: the plugin runs where any entry matches. */
export interface TrafficSelector {
  /**
   * Direction.
   *
   * @default - any direction
   */
  readonly mode?: TrafficMode;
  /**
   * Ports; a waypoint's HTTP chains never match a port list.
   *
   * @default - any port
   */
  readonly ports?: number[];
}

/** The WasmPlugin fields shared by {@link WasmPlugin} and the higher-level plugins built on it. */
export interface WasmPluginOptions {
  /**
   * `metadata.name` of the plugin.
   *
   * @default - the construct id, which must then be a valid name
   */
  readonly name?: string;
  /**
   * Namespace of the plugin; it must be its targets' namespace.
   *
   * @default - the enclosing AmbientNamespace or chart namespace, else "default"
   */
  readonly namespace?: string;
  /** Labels of the WasmPlugin object. @default - none */
  readonly labels?: { [key: string]: string };
  /** Annotations of the WasmPlugin object. @default - none */
  readonly annotations?: { [key: string]: string };
  /**
   * Objects the plugin attaches to, rendered as `targetRefs` (at most 16). More can be added with `addTarget()`.
   *
   * @default - none: give targets, or a selector for sidecars and ingress gateways
   */
  readonly targets?: IPolicyTarget[];
  /**
   * Render the single target as the legacy singular `targetRef` (Istio 1.20-1.21 form, seed 003). Only one
   * Gateway target is allowed then.
   *
   * @default false
   */
  readonly legacyTargetRef?: boolean;
  /**
   * Pod labels selecting sidecars or ingress gateways (`spec.selector.matchLabels`). Waypoints ignore selectors.
   * Cannot be combined with targets.
   *
   * @default - no selector
   */
  readonly selector?: { [key: string]: string };
  /** Checksum of the module (for oci://, the image manifest digest). @default - not verified */
  readonly sha256?: string;
  /** @default - UNSPECIFIED behaviour, left to Istio (field not rendered) */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Name of a `kubernetes.io/dockerconfigjson` Secret in the plugin's namespace. @default - anonymous pull */
  readonly imagePullSecret?: string;
  /** Envoy root id, for modules that host several plugins. @default - none */
  readonly pluginName?: string;
  /** @default - not rendered (Istio: UNSPECIFIED_PHASE) */
  readonly phase?: PluginPhase;
  /**
   * Order inside a phase, higher first. Unset sorts after every set priority, negative ones included.
   *
   * @default - unset
   */
  readonly priority?: number;
  /** @default - not rendered (Istio: FAIL_CLOSE) */
  readonly failStrategy?: FailStrategy;
  /** @default - not rendered (Istio: HTTP) */
  readonly type?: PluginType;
  /** VM environment variables. @default - none */
  readonly env?: VmEnvVar[];
  /** Traffic selectors (`spec.match`). @default - all traffic */
  readonly match?: TrafficSelector[];
  /**
   * The kind of object to write. `TRAFFIC_EXTENSION` writes the same plugin as an Istio 1.30 TrafficExtension
   * (Wasm settings under `spec.wasm`), to migrate without changing anything else; it cannot be combined with
   * `legacyTargetRef`, which TrafficExtension does not have.
   *
   * @default ExtensionResource.WASM_PLUGIN
   */
  readonly resource?: ExtensionResource;
}

/** Props of {@link WasmPlugin}. */
export interface WasmPluginProps extends WasmPluginOptions {
  /** The module. */
  readonly source: WasmSource;
  /**
   * Configuration passed to the module as JSON (`spec.pluginConfig`).
   *
   * @default - none: the module gets no configuration
   */
  readonly pluginConfig?: { [key: string]: any };
}

const WASM_PLUGIN_SYMBOL = Symbol.for('cdk8s-istio-ambient.WasmPlugin');

/**
 * An Istio `WasmPlugin` (extensions.istio.io/v1alpha1), every field typed. Targets are checked at synth
 * against the whole app: a plugin that would attach to nothing fails synthesis.
 *
 * @see https://istio.io/latest/docs/reference/config/proxy_extensions/wasm-plugin/
 */
export class WasmPlugin extends Construct {
  /** Whether `x` is a WasmPlugin (works across copies of the library). */
  public static isWasmPlugin(x: any): x is WasmPlugin {
    return x !== null && typeof x === 'object' && WASM_PLUGIN_SYMBOL in x;
  }

  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** The module URL. */
  public readonly url: string;
  /** The WasmPlugin object (a TrafficExtension when `resource` is TRAFFIC_EXTENSION). */
  public readonly apiObject: ApiObject;
  /** The kind of object written. */
  public readonly resource: ExtensionResource;

  private readonly props: WasmPluginProps;
  private readonly targets: IPolicyTarget[] = [];
  private readonly envVars: VmEnvVar[] = [];
  private readonly matches: TrafficSelector[] = [];

  constructor(scope: Construct, id: string, props: WasmPluginProps) {
    super(scope, id);
    Object.defineProperty(this, WASM_PLUGIN_SYMBOL, { value: true });
    props = checkWasmPluginProps(constructWhere(new.target.name, this), props);
    this.props = props;
    this.name = props.name ?? id;
    this.namespace = namespaceOf(this, props.namespace);
    this.url = props.source.url;
    this.resource = props.resource ?? ExtensionResource.WASM_PLUGIN;
    if (this.resource === ExtensionResource.TRAFFIC_EXTENSION && props.legacyTargetRef) {
      this.fail('TE005', 'spec.targetRef', 'TrafficExtension has no singular targetRef (the API server drops the field)', true,
        'drop legacyTargetRef: a TrafficExtension takes its targets in targetRefs');
    }
    this._check([
      ...checkObjectName(this.name),
      ...moduleProblems('spec.', props),
      ...checkPriority(props.priority),
      ...pluginConfigProblems('spec.', this.url, props.pluginConfig),
    ]);
    const metadata = renderMetadata(this.name, this.namespace, props.labels, props.annotations);
    const spec = Lazy.any({ produce: () => this.renderSpec() }) as any;
    this.apiObject = this.resource === ExtensionResource.TRAFFIC_EXTENSION
      ? crdObject<TrafficExtensionL1Props>(this, 'Resource', TrafficExtensionL1.GVK, { metadata, spec })
      : crdObject<WasmPluginL1Props>(this, 'Resource', WasmPluginL1.GVK, { metadata, spec });
    MeshContext.of(this).own(this, this.apiObject);
    for (const t of props.targets ?? []) this.addTarget(t);
    for (const e of props.env ?? []) this.addEnv(e);
    for (const m of props.match ?? []) this.addMatch(m);
  }

  /** Attaches the plugin to one more object (`spec.targetRefs`). */
  public addTarget(target: IPolicyTarget): void {
    if (!isPolicyTargetLike(target)) throw propError(constructWhere(this.constructor.name, this), 'addTarget: target', `must be ${TARGET}`, target, TARGET_FIX);
    const ref = target.toTargetRef();
    const [first] = targetProblems(0, this.props.selector);
    if (first) this._check([first]);
    if (this.props.legacyTargetRef && (this.targets.length > 0 || ref.kind !== 'Gateway')) {
      this.fail('WASM016', 'spec.targetRef', 'the legacy singular targetRef takes exactly one Gateway target', `${ref.kind}/${ref.name}`,
        'drop legacyTargetRef to render targetRefs, which takes up to 16 targets of any supported kind');
    }
    this._check(targetProblems(this.targets.length, undefined));
    this.targets.push(target);
    MeshContext.of(this).invalidate();
  }

  /** Adds a VM environment variable (`spec.vmConfig.env`). */
  public addEnv(env: VmEnvVar): void {
    this._check(checkVmEnv([...this.envVars, env]));
    this.envVars.push({ ...env });
  }

  /** Adds a traffic selector (`spec.match`). */
  public addMatch(selector: TrafficSelector): void {
    this._check(matchProblems(this.matches.length, selector.ports));
    this.matches.push({ mode: selector.mode, ports: selector.ports ? [...selector.ports] : undefined });
    MeshContext.of(this).invalidate();
  }

  /** The target references as rendered (copies). */
  public get targetRefs(): PolicyTargetReference[] {
    return this.targets.map((t) => renderTargetRef(t, this.namespace));
  }

  /**
   * The `pluginConfig` to render; subclasses that type a module's configuration override it.
   */
  protected renderPluginConfig(): { [key: string]: any } | undefined {
    return this.props.pluginConfig;
  }

  private renderSpec(): any {
    const p = this.props;
    // the namespace is rendered only when it differs: the rules then report the cross-namespace reference
    const refs = this.targets.map((t) => renderTargetRef(t, this.namespace));
    const pluginConfig = this.renderPluginConfig();
    if (this.resource === ExtensionResource.TRAFFIC_EXTENSION) {
      return renderTrafficExtensionSpec({ selector: p.selector, targetRefs: refs, phase: p.phase, priority: p.priority, matches: this.matches },
        { wasm: this.renderWasmFields(pluginConfig) });
    }
    return {
      ...(p.selector !== undefined ? { selector: { matchLabels: { ...p.selector } } } : {}),
      ...(refs.length > 0 ? (p.legacyTargetRef ? { targetRef: refs[0] } : { targetRefs: refs }) : {}),
      url: this.url,
      ...(p.sha256 !== undefined ? { sha256: p.sha256 } : {}),
      ...(p.imagePullPolicy !== undefined ? { imagePullPolicy: p.imagePullPolicy } : {}),
      ...(p.imagePullSecret !== undefined ? { imagePullSecret: p.imagePullSecret } : {}),
      ...(p.pluginName !== undefined ? { pluginName: p.pluginName } : {}),
      ...(p.phase !== undefined ? { phase: p.phase } : {}),
      ...(p.priority !== undefined ? { priority: p.priority } : {}),
      ...(p.failStrategy !== undefined ? { failStrategy: p.failStrategy } : {}),
      ...(p.type !== undefined ? { type: p.type } : {}),
      ...(this.envVars.length > 0 ? { vmConfig: { env: this.envVars.map((e) => ({ ...e })) } } : {}),
      ...(this.matches.length > 0 ? { match: renderMatch(this.matches) } : {}),
      ...(pluginConfig !== undefined ? { pluginConfig } : {}),
    };
  }

  /** The module's fields, in the order a TrafficExtension's `spec.wasm` lists them. */
  private renderWasmFields(pluginConfig: { [key: string]: any } | undefined): any {
    const p = this.props;
    return renderWasmBody({ url: this.url, sha256: p.sha256, imagePullPolicy: p.imagePullPolicy, imagePullSecret: p.imagePullSecret,
      pluginName: p.pluginName, failStrategy: p.failStrategy, type: p.type, env: this.envVars, pluginConfig });
  }

  /**
   * Throws the first error among `problems`, naming this plugin and its construct path.
   * @internal
   */
  protected _check(problems: FieldProblem[]): void {
    throwIfProblems(this, this.resource ?? ExtensionResource.WASM_PLUGIN, this.namespace, this.name, problems);
  }

  private fail(code: string, field: string, message: string, value: unknown, fix: string): never {
    this._check([{ code, severity: Severity.ERROR, field, message, value, fix }]);
    throw new Error('unreachable');
  }
}

const TARGET = 'a policy target (a Waypoint, an IngressGateway, or PolicyTarget.*())';
const TARGET_FIX = 'pass the construct itself, e.g. targets: [waypoint], or PolicyTarget.service("reviews")';

/** The props' shapes, as a JavaScript or jsii user may get them wrong (what Istio makes of them is the rules'). */
function checkWasmPluginProps(where: string, given: WasmPluginProps): WasmPluginProps {
  const props = requiredProps(where, given, 'pass { source: WasmSource.oci("ghcr.io/...:tag"), targets: [waypoint] }');
  if (props.source === null || typeof props.source !== 'object' || typeof props.source.url !== 'string') {
    throw propError(where, 'source', 'must be a WasmSource', props.source, 'pass WasmSource.oci("ghcr.io/...:tag"), WasmSource.http(url), WasmSource.file(path) or WasmSource.fromUrl(url)');
  }
  checkList(where, 'targets', props.targets, isPolicyTargetLike, TARGET, TARGET_FIX);
  checkList(where, 'env', props.env, (e) => e !== null && typeof e === 'object', 'an object { name, value }', 'pass env as [{ name: "NAME", value: "value" }]');
  checkList(where, 'match', props.match, (m) => m !== null && typeof m === 'object', 'an object { mode, ports }', 'pass match as [{ mode: TrafficMode.SERVER, ports: [9080] }]');
  checkMetadataMap(where, 'labels', props.labels);
  checkMetadataMap(where, 'annotations', props.annotations);
  checkMetadataMap(where, 'selector', props.selector, 'labels');
  checkJsonMap(where, 'pluginConfig', props.pluginConfig, 'pass the module\'s configuration as plain data, e.g. { basic_auth_rules: [...] }');
  return props;
}
