/**
 * One shape for both extension kinds, as istiod 1.30 has it: every WasmPlugin is translated into a
 * TrafficExtension named `<name>~istio-translated-wasmplugin` (pilot/pkg/config/kube/extensions/translate.go,
 * translateWasmPlugin), and from there on attachment, ordering and filter building see TrafficExtensions only.
 * The rules and the simulator read an {@link Extension}; which object it came from is its `sourceKind`.
 */
import { Entry } from './mesh-model';
import { merged } from './merged';

/** What istiod appends to a WasmPlugin's name when it translates it into a TrafficExtension (1.30). */
export const TRANSLATED_SUFFIX = '~istio-translated-wasmplugin';

/** The object an extension was written as. */
export enum ExtensionSource {
  WASM_PLUGIN = 'WasmPlugin',
  TRAFFIC_EXTENSION = 'TrafficExtension',
}

/** What an extension runs: a Wasm module, Lua code, or nothing istiod would accept. */
export enum ExtensionBodyKind {
  WASM = 'wasm',
  LUA = 'lua',
  /** A TrafficExtension with both `wasm` and `lua` (the API server refuses it). */
  BOTH = 'both',
  /** A TrafficExtension with neither (the API server refuses it; istiod drops it: "neither wasm nor lua is set"). */
  NEITHER = 'neither',
}

/** The filter chain type an extension runs on. */
export enum ChainType {
  HTTP = 'HTTP',
  NETWORK = 'NETWORK',
  /** Both (istiod's FilterChainTypeAny, used for ECDS): every extension passes the type check. */
  ANY = 'ANY',
}

/** TrafficExtension's `phase` values (ExecutionPhase), in the order of the filter chain. */
export const EXTENSION_PHASES: readonly string[] = ['UNSPECIFIED', 'AUTHN', 'AUTHZ', 'STATS'];

/** The phases of auth plugins: what runs in them decides who gets in. */
export const AUTH_PHASES: readonly string[] = ['AUTHN', 'AUTHZ'];

/**
 * One WasmPlugin or TrafficExtension, read once into the TrafficExtension shape istiod works with: what decides
 * where and in which order it runs, and its body.
 */
export interface Extension {
  readonly entry: Entry;
  readonly sourceKind: ExtensionSource;
  /** The name istiod compares: a WasmPlugin's carries the translation suffix, `<name>~istio-translated-wasmplugin`. */
  readonly sortName: string;
  /**
   * The phase slot: `AUTHN`, `AUTHZ`, `STATS` or `UNSPECIFIED_PHASE` (an unset phase, and TrafficExtension's
   * `UNSPECIFIED`, are that slot: both enums share their numbers and translate.go copies the value); any other
   * value as written.
   */
  readonly phase: string;
  /** `spec.priority` when it is an integer. */
  readonly priority?: number;
  /** creationTimestamp in whole seconds (Kubernetes keeps seconds), undefined when the manifest has none. */
  readonly created?: number;
  readonly match: unknown;
  readonly bodyKind: ExtensionBodyKind;
  /** The chain type it runs on: Lua is HTTP only; Wasm follows `type` (unset is HTTP). */
  readonly chainType: ChainType;
  /** The Wasm settings: `spec.wasm` of a TrafficExtension, the spec itself for a WasmPlugin. */
  readonly wasm?: any;
  /** `spec.lua.inlineCode` as written (any type). */
  readonly luaCode?: unknown;
}

const VIEWS = new WeakMap<Entry, Extension>();

/** The extension an entry stands for (memoised per entry). */
export function extensionOf(entry: Entry): Extension {
  let x = VIEWS.get(entry);
  if (!x) {
    x = readExtension(entry);
    VIEWS.set(entry, x);
  }
  return x;
}

function readExtension(entry: Entry): Extension {
  const spec = entry.manifest.spec && typeof entry.manifest.spec === 'object' ? entry.manifest.spec : {};
  const isTe = entry.kind === 'TrafficExtension';
  const rawPhase = spec.phase ?? 'UNSPECIFIED_PHASE';
  const ts = typeof entry.manifest.metadata?.creationTimestamp === 'string' ? Date.parse(entry.manifest.metadata.creationTimestamp) : NaN;
  const base = {
    entry,
    phase: rawPhase === 'UNSPECIFIED' && isTe ? 'UNSPECIFIED_PHASE' : String(rawPhase),
    priority: typeof spec.priority === 'number' && Number.isInteger(spec.priority) ? spec.priority : undefined,
    created: Number.isNaN(ts) ? undefined : Math.floor(ts / 1000),
    match: spec.match,
  };
  const network = (type: unknown) => (type === 'NETWORK' ? ChainType.NETWORK : ChainType.HTTP);
  if (!isTe) {
    return merged(base, { sourceKind: ExtensionSource.WASM_PLUGIN, sortName: `${entry.name}${TRANSLATED_SUFFIX}`,
      bodyKind: ExtensionBodyKind.WASM, chainType: network(spec.type), wasm: spec });
  }
  const hasWasm = spec.wasm !== undefined && spec.wasm !== null;
  const hasLua = spec.lua !== undefined && spec.lua !== null;
  const bodyKind = hasWasm && hasLua ? ExtensionBodyKind.BOTH : hasWasm ? ExtensionBodyKind.WASM : hasLua ? ExtensionBodyKind.LUA : ExtensionBodyKind.NEITHER;
  return {
    ...base, sourceKind: ExtensionSource.TRAFFIC_EXTENSION, sortName: entry.name, bodyKind,
    chainType: bodyKind === ExtensionBodyKind.LUA ? ChainType.HTTP : network(spec.wasm?.type),
    wasm: hasWasm ? spec.wasm : undefined, luaCode: hasLua ? spec.lua?.inlineCode : undefined,
  };
}

/** The WasmPlugin fields a TrafficExtension carries under `spec.wasm` (translate.go copies exactly these). */
export const WASM_BODY_FIELDS: readonly string[] = ['url', 'sha256', 'imagePullPolicy', 'imagePullSecret', 'pluginConfig', 'pluginName',
  'failStrategy', 'vmConfig', 'type', 'verificationKey'];

/**
 * A WasmPlugin-shaped spec of the extension, so the checks both kinds share run through the same functions:
 * the shared fields at spec level, the Wasm settings beside them. Field paths in findings are mapped back
 * with {@link extensionFieldPath}.
 */
export function wasmPluginShape(x: Extension): any {
  const spec = x.entry.manifest.spec && typeof x.entry.manifest.spec === 'object' ? x.entry.manifest.spec : {};
  if (x.sourceKind === ExtensionSource.WASM_PLUGIN) return spec;
  const out: any = {};
  for (const f of ['targetRefs', 'selector', 'match', 'priority']) if (spec[f] !== undefined) out[f] = spec[f];
  // the phase enums differ only in the unset word; the shared checks know WasmPlugin's, and a value outside
  // TrafficExtension's own enum is left out here and reported by the TrafficExtension checks
  if (EXTENSION_PHASES.includes(spec.phase)) out.phase = spec.phase === 'UNSPECIFIED' ? 'UNSPECIFIED_PHASE' : spec.phase;
  if (x.wasm && typeof x.wasm === 'object') for (const f of WASM_BODY_FIELDS) if (x.wasm[f] !== undefined) out[f] = x.wasm[f];
  return out;
}

/** The field path in the extension's own object for a path of its {@link wasmPluginShape}. */
export function extensionFieldPath(x: Extension, field: string): string {
  if (x.sourceKind === ExtensionSource.WASM_PLUGIN) return field;
  const m = /^spec\.([A-Za-z0-9]+)(.*)$/.exec(field);
  if (m && WASM_BODY_FIELDS.includes(m[1])) return `spec.wasm.${m[1]}${m[2]}`;
  return field;
}
