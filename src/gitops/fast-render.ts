/**
 * Renders an ApiObject exactly as `ApiObject.toJson()` does (cdk8s 2.x), in one pass and without its per-value
 * overhead: cdk8s's resolver walk looks up the App's resolvers and allocates a context and a key path for every
 * value of every object, which is about 20 µs per manifest, seconds at 70,000 objects.
 *
 * It applies only where the result is provably the same, and returns undefined otherwise so the caller uses
 * `toJson()`: an object whose toJson() is ApiObject's own (the generated L1 classes override it; the sample
 * Services, which only add a field, do not), an App whose resolvers are exactly cdk8s's three built-in ones (a custom resolver may read the key
 * path), and the object shape cdk8s 2.x has (the fields read below). Tests compare it with `toJson()` on every
 * object of mixed apps and on random ones.
 */
import { ApiObject, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { merged } from '../model/merged';

/** The ApiObject fields toJson() reads, private in cdk8s's typings. */
interface ApiObjectInternals {
  readonly props?: Record<string, unknown>;
  readonly patches?: JsonPatch[];
}

interface MetadataInternals {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly _additionalAttributes?: Record<string, unknown>;
}

/**
 * Whether `app` resolves values with cdk8s's built-in resolvers only, in cdk8s's order. Also checks that no
 * one gave strings, numbers or booleans a `resolve` or `value` property, which the resolvers would act on: the
 * fast path takes primitives as final.
 */
export function usesBuiltInResolvers(app: App): boolean {
  const r = app.resolvers;
  if (r.length !== 3 || !(r[0] instanceof LazyResolver) || !(r[1] instanceof ImplicitTokenResolver) || !(r[2] instanceof NumberStringUnionResolver)) return false;
  return [String.prototype, Number.prototype, Boolean.prototype].every((p: any) => p.resolve === undefined && p.value === undefined);
}

/** What the three built-in resolvers make of an object; a replaced value is resolved again from the start. */
function resolveToken(value: any): any {
  let v = value;
  while (v !== null && typeof v === 'object') {
    if (v instanceof Lazy) {
      v = v.produce();
    } else if (typeof v.resolve === 'function') {
      v = v.resolve();
    } else if (v.constructor !== Object && (typeof v.value === 'number' || typeof v.value === 'string')) {
      // NumberStringUnionResolver: a union class (IntOrString, Quantity) becomes its value holder
      v = { value: v.value };
    } else {
      break;
    }
  }
  return v;
}

/** How the output is sanitized: cdk8s sorts keys (unless CDK8S_DISABLE_SORT) and filters empties in metadata. */
export interface RenderOptions {
  readonly sortKeys: boolean;
  readonly filterEmpty: boolean;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

/**
 * `sanitizeValue(resolve(value))`: resolution visits keys in insertion order (so Lazy producers run in the
 * order cdk8s runs them), then the result is sanitized (keys sorted, null and undefined dropped).
 */
function render(value: unknown, opts: RenderOptions, resolveChildren: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  const v: any = resolveChildren ? resolveToken(value) : value;
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    if (opts.filterEmpty && v.length === 0) return undefined;
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = render(v[i], opts, resolveChildren);
    return out;
  }
  // resolve() recurses only into plain objects; sanitize() accepts any object whose constructor is named Object
  const ctor = v.constructor;
  const descend = resolveChildren && ctor == Object; // eslint-disable-line eqeqeq
  if (ctor.name !== 'Object') throw new Error(`can't render non-simple object of type '${ctor.name}'`);
  const keys = Object.keys(v);
  const n = keys.length;
  const out: Record<string, unknown> = {};
  let any = false;
  if (!opts.sortKeys || isSorted(keys)) {
    // the common case: resolve and place in one pass
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const r = render(v[k], opts, descend);
      if (r !== undefined) {
        out[k] = r;
        any = true;
      }
    }
  } else {
    const values = new Array(n);
    for (let i = 0; i < n; i++) values[i] = render(v[keys[i]], opts, descend);
    // keys are distinct, so sorting positions by key gives the order [...keys].sort() gives
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
    for (let j = 0; j < n; j++) {
      const r = values[order[j]];
      if (r !== undefined) {
        out[keys[order[j]]] = r;
        any = true;
      }
    }
  }
  return opts.filterEmpty && !any ? undefined : out;
}

const METADATA_OPTIONS: RenderOptions = { sortKeys: true, filterEmpty: true };
const SORTED: RenderOptions = { sortKeys: true, filterEmpty: false };
const UNSORTED: RenderOptions = { sortKeys: false, filterEmpty: false };

/** What cdk8s's toJson() reads from the environment for every object: whether to sort keys. */
export function sortKeysFromEnv(): boolean {
  return process.env.CDK8S_DISABLE_SORT ? false : true;
}

/**
 * ApiObject.toJson(), or undefined when the fast path does not apply to this object. `sortKeys` is what cdk8s
 * reads from CDK8S_DISABLE_SORT for each object; the caller reads it once (process.env is slow to read).
 */
export function renderApiObject(obj: ApiObject, sortKeys: boolean): unknown {
  // a subclass renders as ApiObject does unless it overrides toJson(), as the generated L1 classes do
  if (obj.toJson !== ApiObject.prototype.toJson) return undefined;
  const { props, patches } = obj as unknown as ApiObjectInternals;
  const meta = obj.metadata as unknown as MetadataInternals;
  if (!props || typeof props !== 'object' || !Array.isArray(patches) || !meta._additionalAttributes) return undefined;
  try {
    // what cdk8s spreads: `{ ...additional, name, namespace, ... }`. cdk8s deletes a key of the additional
    // attributes, which leaves that object (and a spread of it) in V8's slow dictionary mode: copied key by key
    // (the same keys in the same order), a spread costs ~4 µs an object less
    const additional = meta._additionalAttributes;
    const raw: Record<string, unknown> = {};
    for (const k of Object.keys(additional)) raw[k] = additional[k];
    raw.name = meta.name;
    raw.namespace = meta.namespace;
    raw.annotations = meta.annotations;
    raw.finalizers = meta.finalizers;
    raw.ownerReferences = meta.ownerReferences;
    raw.labels = meta.labels;
    const metadata = render(raw, METADATA_OPTIONS, true);
    // cdk8s resolves and sanitizes the metadata a second time inside the whole object, which changes nothing;
    // its place among the keys does not matter either, since it is moved to third place below
    const json = render(merged(props, { metadata: undefined }), sortKeys ? SORTED : UNSORTED, true) as Record<string, unknown>;
    if (metadata !== undefined) json.metadata = metadata;
    const patched = patches.length > 0 ? JsonPatch.apply(json, ...patches) : json;
    // apiVersion, kind and metadata first, then the rest, as cdk8s orders them
    const result: Record<string, unknown> = {};
    if ('apiVersion' in patched) result.apiVersion = patched.apiVersion;
    if ('kind' in patched) result.kind = patched.kind;
    if ('metadata' in patched) result.metadata = patched.metadata;
    for (const k of Object.keys(patched)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') result[k] = patched[k];
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}
