/**
 * Rendering shared by the WasmPlugin and TrafficExtension constructs: target references and traffic selectors
 * are the same fields in both kinds. Not exported from the library.
 */
import { FieldProblem, Severity } from '../rules/finding';
import { checkLength, checkPort, checkSha256 } from '../rules/wasm-fields';
import { checkBasicAuthConfig, isBasicAuthUrl } from '../rules/basic-auth';
import { MAX_TARGETS } from '../model/attachment';
import type { IPolicyTarget, PolicyTargetReference } from '../core/policy-target';

/** `metadata` of an extension object: name and namespace, labels and annotations (copies) when given. */
export function renderMetadata(name: string, namespace: string, labels?: { [key: string]: string }, annotations?: { [key: string]: string }): any {
  return {
    name,
    namespace,
    ...(labels ? { labels: { ...labels } } : {}),
    ...(annotations ? { annotations: { ...annotations } } : {}),
  };
}

/** The fields both kinds have at spec level, as the constructs keep them. */
export interface SharedSpec {
  readonly selector?: { [key: string]: string };
  readonly targetRefs: readonly PolicyTargetReference[];
  /** WasmPlugin's phase words (`UNSPECIFIED_PHASE` for the unset one). */
  readonly phase?: string;
  readonly priority?: number;
  readonly matches: readonly MatchSpec[];
}

/**
 * A TrafficExtension's spec: the shared fields at spec level (phase in TrafficExtension's words, whose unset one is
 * `UNSPECIFIED`), then the body, `wasm` or `lua` (translate.go's mapping, the other way round).
 */
export function renderTrafficExtensionSpec(shared: SharedSpec, body: { readonly wasm: any } | { readonly lua: any }): any {
  return {
    ...(shared.selector !== undefined ? { selector: { matchLabels: { ...shared.selector } } } : {}),
    ...(shared.targetRefs.length > 0 ? { targetRefs: [...shared.targetRefs] } : {}),
    ...(shared.phase !== undefined ? { phase: shared.phase === 'UNSPECIFIED_PHASE' ? 'UNSPECIFIED' : shared.phase } : {}),
    ...(shared.priority !== undefined ? { priority: shared.priority } : {}),
    ...(shared.matches.length > 0 ? { match: renderMatch(shared.matches) } : {}),
    ...body,
  };
}

/**
 * Problems of the module settings one construct argument can carry on its own: the digest, the root id, the pull
 * Secret's name, and a basic_auth config as the module would read it. `prefix` is where they sit: `spec.` for a
 * WasmPlugin, `spec.wasm.` for a TrafficExtension.
 */
export function moduleProblems(prefix: string, s: { readonly sha256?: string; readonly pluginName?: string; readonly imagePullSecret?: string }): FieldProblem[] {
  return [
    ...checkSha256(s.sha256, `${prefix}sha256`),
    ...checkLength(s.pluginName, `${prefix}pluginName`, 1, 256),
    ...checkLength(s.imagePullSecret, `${prefix}imagePullSecret`, 1, 253),
  ];
}

/** A hand-written config for the basic_auth module, checked as the module would check it. */
export function pluginConfigProblems(prefix: string, url: string | undefined, pluginConfig: { [key: string]: any } | undefined): FieldProblem[] {
  return isBasicAuthUrl(url) && pluginConfig !== undefined ? checkBasicAuthConfig(pluginConfig, `${prefix}pluginConfig`) : [];
}

/** One `match` entry as the constructs keep it. */
export interface MatchSpec {
  readonly mode?: string;
  readonly ports?: number[];
}

/** The `targetRefs` entry of a target, the namespace rendered only when it differs (the rules then report it). */
export function renderTargetRef(t: IPolicyTarget, namespace: string): PolicyTargetReference {
  const r = t.toTargetRef();
  const ns = r.namespace !== undefined && r.namespace !== namespace ? { namespace: r.namespace } : {};
  return { group: r.group, kind: r.kind, name: r.name, ...ns };
}

/** `spec.match` entries; only the fields that were given. */
export function renderMatch(matches: readonly MatchSpec[]): any[] {
  return matches.map((m) => ({
    ...(m.mode !== undefined ? { mode: m.mode } : {}),
    ...(m.ports !== undefined ? { ports: m.ports.map((n) => ({ number: n })) } : {}),
  }));
}

/** Problems with adding one more target: a selector is set (WASM002), or the list is full (WASM010). */
export function targetProblems(count: number, selector: unknown): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (selector !== undefined) {
    out.push({ code: 'WASM002', severity: Severity.ERROR, field: 'spec.selector', message: 'is set together with targets (only one of targetRefs or selector can be set)',
      value: selector, fix: 'drop selector to attach by targets (ambient, Gateway API), or drop the targets to attach by pod labels (sidecars)' });
  }
  if (count >= MAX_TARGETS) {
    out.push({ code: 'WASM010', severity: Severity.ERROR, field: 'spec.targetRefs', message: `would hold more than the ${MAX_TARGETS} targets allowed`,
      value: count + 1, fix: 'split the targets over several plugins' });
  }
  return out;
}

/** Port problems of one more `match` entry, at index `index`. */
export function matchProblems(index: number, ports: readonly number[] | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  (ports ?? []).forEach((p, j) => out.push(...checkPort(p, `spec.match[${index}].ports[${j}].number`)));
  return out;
}

/** The Wasm settings a construct was given, as `spec.wasm` of a TrafficExtension lists them. */
export interface WasmBodySpec {
  readonly url: string;
  readonly sha256?: string;
  readonly imagePullPolicy?: string;
  readonly imagePullSecret?: string;
  readonly pluginName?: string;
  readonly failStrategy?: string;
  readonly type?: string;
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value?: string; readonly valueFrom?: string }>;
  readonly pluginConfig?: { [key: string]: any };
}

/** A TrafficExtension's `spec.wasm`, only the fields that were given. */
export function renderWasmBody(b: WasmBodySpec): any {
  return {
    url: b.url,
    ...(b.sha256 !== undefined ? { sha256: b.sha256 } : {}),
    ...(b.imagePullPolicy !== undefined ? { imagePullPolicy: b.imagePullPolicy } : {}),
    ...(b.imagePullSecret !== undefined ? { imagePullSecret: b.imagePullSecret } : {}),
    ...(b.pluginName !== undefined ? { pluginName: b.pluginName } : {}),
    ...(b.failStrategy !== undefined ? { failStrategy: b.failStrategy } : {}),
    ...(b.type !== undefined ? { type: b.type } : {}),
    ...(b.env && b.env.length > 0 ? { vmConfig: { env: b.env.map((e) => ({ ...e })) } } : {}),
    ...(b.pluginConfig !== undefined ? { pluginConfig: b.pluginConfig } : {}),
  };
}
