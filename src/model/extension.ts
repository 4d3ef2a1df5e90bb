/**
 * One shape for both extension kinds, as istiod 1.30 has it: every WasmPlugin is translated into a
 * TrafficExtension named `<name>~istio-translated-wasmplugin` (pilot/pkg/config/kube/extensions/translate.go,
 * translateWasmPlugin), and from there on attachment, ordering and filter building see TrafficExtensions only.
 * The rules and the simulator read an {@link Extension}; which object it came from is its `sourceKind`.
 */
import { Entry } from './mesh-model';
import { TRANSLATED_SUFFIX } from './extensions';

/** The suffix istiod appends to the name of the TrafficExtension it makes from a WasmPlugin (the ordering's own constant). */
export const SYNTHETIC_MARKER = TRANSLATED_SUFFIX;

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

/** TrafficExtension's `phase` values (ExecutionPhase), in the order of the filter chain. */
export const EXTENSION_PHASES: readonly string[] = ['UNSPECIFIED', 'AUTHN', 'AUTHZ', 'STATS'];

/** One WasmPlugin or TrafficExtension, read into the TrafficExtension shape istiod works with. */
export interface Extension {
  readonly entry: Entry;
  readonly sourceKind: ExtensionSource;
  /** The name istiod orders by: `<name>~istio-translated-wasmplugin` for a WasmPlugin. */
  readonly name: string;
  /**
   * ExecutionPhase as written, with WasmPlugin's `UNSPECIFIED_PHASE` (and an unset phase) read as
   * `UNSPECIFIED`: both enums share their numbers (translate.go copies the value).
   */
  readonly phase: string;
  /** `spec.priority` when it is an integer. */
  readonly priority?: number;
  readonly match: unknown;
  readonly selector: unknown;
  /** `targetRefs`, with a WasmPlugin's singular `targetRef` merged in when `targetRefs` is empty (translate.go). */
  readonly targetRefs: unknown[];
  readonly bodyKind: ExtensionBodyKind;
  /** The Wasm settings: `spec.wasm` of a TrafficExtension, the spec itself for a WasmPlugin. */
  readonly wasm?: any;
  /** Where the Wasm settings are in the object: `spec.wasm` or `spec`. */
  readonly wasmPath: string;
  /** `spec.lua.inlineCode` as written (any type). */
  readonly luaCode?: unknown;
  /** creationTimestamp in whole seconds (Kubernetes keeps seconds), undefined when the manifest has none. */
  readonly created?: number;
}

const VIEWS = new WeakMap<Entry, Extension>();

/** Whether an entry is an extension object (either kind). */
export function isExtensionEntry(e: Entry): boolean {
  return e.group === 'extensions.istio.io' && (e.kind === 'WasmPlugin' || e.kind === 'TrafficExtension');
}

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
  const rawPhase = spec.phase;
  const phase = rawPhase === undefined || rawPhase === null || (!isTe && rawPhase === 'UNSPECIFIED_PHASE') ? 'UNSPECIFIED' : String(rawPhase);
  const ts = typeof entry.manifest.metadata?.creationTimestamp === 'string' ? Date.parse(entry.manifest.metadata.creationTimestamp) : NaN;
  const refs = Array.isArray(spec.targetRefs) ? spec.targetRefs : [];
  const base = {
    entry,
    phase,
    priority: typeof spec.priority === 'number' && Number.isInteger(spec.priority) ? spec.priority : undefined,
    match: spec.match,
    selector: spec.selector,
    created: Number.isNaN(ts) ? undefined : Math.floor(ts / 1000),
  };
  if (!isTe) {
    // a TrafficExtension has no singular targetRef; the translation merges it into targetRefs
    const targetRefs = refs.length === 0 && spec.targetRef && typeof spec.targetRef === 'object' ? [spec.targetRef] : refs;
    return { ...base, sourceKind: ExtensionSource.WASM_PLUGIN, name: `${entry.name}${SYNTHETIC_MARKER}`, targetRefs,
      bodyKind: ExtensionBodyKind.WASM, wasm: spec, wasmPath: 'spec' };
  }
  const hasWasm = spec.wasm !== undefined && spec.wasm !== null;
  const hasLua = spec.lua !== undefined && spec.lua !== null;
  const bodyKind = hasWasm && hasLua ? ExtensionBodyKind.BOTH : hasWasm ? ExtensionBodyKind.WASM : hasLua ? ExtensionBodyKind.LUA : ExtensionBodyKind.NEITHER;
  return {
    ...base, sourceKind: ExtensionSource.TRAFFIC_EXTENSION, name: entry.name, targetRefs: refs, bodyKind,
    wasm: hasWasm ? spec.wasm : undefined, wasmPath: 'spec.wasm', luaCode: hasLua ? spec.lua?.inlineCode : undefined,
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
