import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { TrafficExtension as TrafficExtensionL1, TrafficExtensionProps as TrafficExtensionL1Props } from '../imports/extensions.istio.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import {
  MatchSpec, matchProblems, moduleProblems, pluginConfigProblems, renderMetadata, renderTargetRef, renderTrafficExtensionSpec, renderWasmBody, targetProblems,
} from '../private/extension-spec';
import { FieldProblem } from '../rules/finding';
import { checkObjectName, checkPriority, checkVmEnv } from '../rules/wasm-fields';
import { checkLuaCode } from '../rules/lua';
import { IPolicyTarget, PolicyTargetReference } from '../core/policy-target';
import { FailStrategy, ImagePullPolicy, PluginPhase, PluginType, TrafficSelector, VmEnvVar } from './wasm-plugin';
import { WasmSource } from './wasm-source';
import { checkList, checkMetadataMap, constructWhere, isPolicyTargetLike, optionalProps, propError, requiredProps } from '../private/props';

/** The Wasm settings of a TrafficExtension (`spec.wasm`), the module aside. */
export interface WasmFilterOptions {
  /** Checksum of the module (for oci://, the image manifest digest). @default - not verified */
  readonly sha256?: string;
  /** @default - UNSPECIFIED behaviour, left to Istio (field not rendered) */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Name of a `kubernetes.io/dockerconfigjson` Secret in the extension's namespace. @default - anonymous pull */
  readonly imagePullSecret?: string;
  /** Envoy root id, for modules that host several plugins. @default - none */
  readonly pluginName?: string;
  /** @default - not rendered (Istio: FAIL_CLOSE) */
  readonly failStrategy?: FailStrategy;
  /** @default - not rendered (Istio: HTTP) */
  readonly type?: PluginType;
  /** VM environment variables. @default - none */
  readonly env?: VmEnvVar[];
  /** Configuration passed to the module as JSON. @default - none: the module gets no configuration */
  readonly pluginConfig?: { [key: string]: any };
}

/** Which body a {@link FilterConfig} carries. */
export enum FilterConfigKind {
  /** A WebAssembly module (`spec.wasm`). */
  WASM = 'wasm',
  /** Inline Lua code run by Envoy's Lua filter (`spec.lua`). */
  LUA = 'lua',
}

/**
 * What a TrafficExtension runs: a Wasm module or Lua code, exactly one (Istio's `filter_config` oneof).
 *
 * @see https://istio.io/latest/docs/reference/config/proxy_extensions/traffic_extension/
 */
export class FilterConfig {
  /**
   * A WebAssembly module, with the same settings as a WasmPlugin.
   *
   * @example FilterConfig.wasm(WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0'), { pluginConfig })
   */
  public static wasm(source: WasmSource, options: WasmFilterOptions = {}): FilterConfig {
    if (source === null || typeof source !== 'object' || typeof source.url !== 'string') {
      throw propError('FilterConfig.wasm', 'source', 'must be a WasmSource', source, 'pass WasmSource.oci("ghcr.io/...:tag"), WasmSource.http(url) or WasmSource.file(path)');
    }
    options = optionalProps('FilterConfig.wasm', options, 'pass { pluginConfig: {...} }, or no options');
    return new FilterConfig(FilterConfigKind.WASM, source.url, undefined, { ...options, env: options.env ? options.env.map((e) => ({ ...e })) : undefined });
  }

  /**
   * Lua code for Envoy's Lua filter (LuaJIT): it must define the global function `envoy_on_request(request_handle)`,
   * `envoy_on_response(response_handle)`, or both. Lua filters run on HTTP traffic only. The code is parsed
   * at once: a syntax error throws, naming the line and column.
   *
   * @example FilterConfig.lua('function envoy_on_request(h) h:headers():add("x-env", "prod") end')
   */
  public static lua(inlineCode: string): FilterConfig {
    return new FilterConfig(FilterConfigKind.LUA, undefined, inlineCode, undefined);
  }

  private constructor(
    /** Which body this is. */
    public readonly kind: FilterConfigKind,
    /** The module URL, for a Wasm body. */
    public readonly url: string | undefined,
    /** The Lua code, for a Lua body. */
    public readonly inlineCode: string | undefined,
    private readonly wasmOptions: WasmFilterOptions | undefined,
  ) {}

  /**
   * The Wasm settings (a copy), for a Wasm body.
   *
   * @internal
   */
  public _wasmOptions(): WasmFilterOptions | undefined {
    return this.wasmOptions ? { ...this.wasmOptions } : undefined;
  }
}

/** Props of {@link TrafficExtension}. */
export interface TrafficExtensionProps {
  /** What the extension runs. */
  readonly filterConfig: FilterConfig;
  /**
   * `metadata.name`.
   *
   * @default - the construct id, which must then be a valid name
   */
  readonly name?: string;
  /**
   * Namespace of the extension; it must be its targets' namespace.
   *
   * @default - the enclosing AmbientNamespace or chart namespace, else "default"
   */
  readonly namespace?: string;
  /** Labels of the object. @default - none */
  readonly labels?: { [key: string]: string };
  /** Annotations of the object. @default - none */
  readonly annotations?: { [key: string]: string };
  /**
   * Objects the extension attaches to (`targetRefs`, at most 16). More can be added with `addTarget()`.
   *
   * @default - none: give targets, or a selector for sidecars and ingress gateways
   */
  readonly targets?: IPolicyTarget[];
  /**
   * Pod labels selecting sidecars or ingress gateways (`spec.selector.matchLabels`). Waypoints ignore selectors.
   * Cannot be combined with targets.
   *
   * @default - no selector
   */
  readonly selector?: { [key: string]: string };
  /**
   * Where in the filter chain the extension runs; `PluginPhase.UNSPECIFIED` renders as TrafficExtension's `UNSPECIFIED`.
   *
   * @default - not rendered (UNSPECIFIED: after Istio's own filters)
   */
  readonly phase?: PluginPhase;
  /**
   * Order inside a phase, higher first, shared with WasmPlugins. Unset sorts after every set priority.
   *
   * @default - unset
   */
  readonly priority?: number;
  /** Traffic selectors (`spec.match`). @default - all traffic */
  readonly match?: TrafficSelector[];
}

const TRAFFIC_EXTENSION_SYMBOL = Symbol.for('cdk8s-istio-ambient.TrafficExtension');

/**
 * An Istio `TrafficExtension` (extensions.istio.io/v1alpha1, Istio 1.30): a Wasm module or Lua code attached
 * to waypoints, gateways or Services with the same targets as a WasmPlugin. istiod orders TrafficExtensions and
 * WasmPlugins together (phase, priority, creation time, name). Targets are checked at synth against the whole
 * app, as for a WasmPlugin.
 *
 * @see https://istio.io/latest/docs/reference/config/proxy_extensions/traffic_extension/
 */
export class TrafficExtension extends Construct {
  /** Whether `x` is a TrafficExtension (works across copies of the library). */
  public static isTrafficExtension(x: any): x is TrafficExtension {
    return x !== null && typeof x === 'object' && TRAFFIC_EXTENSION_SYMBOL in x;
  }

  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** What the extension runs. */
  public readonly filterConfig: FilterConfig;
  /** The TrafficExtension object. */
  public readonly apiObject: ApiObject;

  private readonly props: TrafficExtensionProps;
  private readonly targets: IPolicyTarget[] = [];
  private readonly matches: MatchSpec[] = [];

  constructor(scope: Construct, id: string, props: TrafficExtensionProps) {
    super(scope, id);
    Object.defineProperty(this, TRAFFIC_EXTENSION_SYMBOL, { value: true });
    const where = constructWhere('TrafficExtension', this);
    props = requiredProps(where, props, 'pass { filterConfig: FilterConfig.lua(code), targets: [waypoint] }');
    // by shape, not instanceof: a FilterConfig of another copy of the library is as good
    if (typeof (props.filterConfig as FilterConfig | undefined)?._wasmOptions !== 'function') {
      throw propError(where, 'filterConfig', 'must be a FilterConfig', props.filterConfig, 'pass FilterConfig.wasm(WasmSource.oci("...")) or FilterConfig.lua(code)');
    }
    checkList(where, 'targets', props.targets, isPolicyTargetLike, 'a policy target (a Waypoint, an IngressGateway, or PolicyTarget.*())', 'pass the construct itself, e.g. targets: [waypoint]');
    checkList(where, 'match', props.match, (m) => m !== null && typeof m === 'object', 'an object { mode, ports }', 'pass match as [{ mode: TrafficMode.SERVER, ports: [9080] }]');
    checkMetadataMap(where, 'labels', props.labels);
    checkMetadataMap(where, 'annotations', props.annotations);
    checkMetadataMap(where, 'selector', props.selector, 'labels');
    this.props = props;
    this.name = props.name ?? id;
    this.namespace = namespaceOf(this, props.namespace);
    this.filterConfig = props.filterConfig;
    const problems: FieldProblem[] = [...checkObjectName(this.name), ...checkPriority(props.priority)];
    const f = props.filterConfig;
    if (f.kind === FilterConfigKind.LUA) {
      problems.push(...checkLuaCode(f.inlineCode));
    } else {
      const w = f._wasmOptions() ?? {};
      problems.push(
        ...moduleProblems('spec.wasm.', w),
        ...checkVmEnv(w.env ?? [], 'spec.wasm.vmConfig.env'),
        ...pluginConfigProblems('spec.wasm.', f.url, w.pluginConfig),
      );
    }
    this._check(problems);
    this.apiObject = crdObject<TrafficExtensionL1Props>(this, 'Resource', TrafficExtensionL1.GVK, {
      metadata: renderMetadata(this.name, this.namespace, props.labels, props.annotations),
      spec: Lazy.any({ produce: () => this.renderSpec() }) as any,
    });
    MeshContext.of(this).own(this, this.apiObject);
    for (const t of props.targets ?? []) this.addTarget(t);
    for (const m of props.match ?? []) this.addMatch(m);
  }

  /** Attaches the extension to one more object (`spec.targetRefs`). */
  public addTarget(target: IPolicyTarget): void {
    this._check(targetProblems(this.targets.length, this.props.selector));
    this.targets.push(target);
    MeshContext.of(this).invalidate();
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

  private renderSpec(): any {
    const p = this.props;
    const refs = this.targets.map((t) => renderTargetRef(t, this.namespace));
    const f = p.filterConfig;
    const w = f._wasmOptions();
    return renderTrafficExtensionSpec({ selector: p.selector, targetRefs: refs, phase: p.phase, priority: p.priority, matches: this.matches },
      f.kind === FilterConfigKind.LUA ? { lua: { inlineCode: f.inlineCode } } : {
        wasm: renderWasmBody({ url: f.url!, sha256: w?.sha256, imagePullPolicy: w?.imagePullPolicy, imagePullSecret: w?.imagePullSecret,
          pluginName: w?.pluginName, failStrategy: w?.failStrategy, type: w?.type, env: w?.env, pluginConfig: w?.pluginConfig }),
      });
  }

  /**
   * Throws the first error among `problems`, naming this extension and its construct path.
   * @internal
   */
  protected _check(problems: FieldProblem[]): void {
    throwIfProblems(this, 'TrafficExtension', this.namespace, this.name, problems);
  }
}
