/**
 * Suppressions: a finding can be silenced for one object by an annotation on it, or for every object by a list
 * of codes (`analyze --ignore`, the synth environment variable, the validation plugin's `ignore` property).
 * A silenced finding is still reported, marked as suppressed, and fails nothing. One pure function serves
 * synthesis, `analyze` and the validation plugin.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { AUTH_PHASES } from '../model/extension';
import { RULES } from './codes';
import { Finding, Severity, Suppression } from './finding';
import { isBasicAuthUrl } from './basic-auth';

/** The annotation that silences named codes on the object that carries it: `CODE[,CODE][: reason]`, one entry a line. */
export const IGNORE_ANNOTATION = 'cdk8s-istio-ambient.io/ignore';

/** One `CODE[,CODE][: reason]` entry. */
export interface IgnoreEntry {
  readonly codes: readonly string[];
  /** Empty when the entry gives none. */
  readonly reason: string;
}

/** Options of {@link applySuppressions}. */
export interface SuppressionOptions {
  /** Codes silenced on every object (parsed with {@link parseIgnoreList}). @default - none */
  readonly ignore?: readonly IgnoreEntry[];
  /** Where `ignore` was written, for reports (`--ignore`, an environment variable, a property). @default "--ignore" */
  readonly ignoreWhere?: string;
}

/** Thrown by {@link parseIgnoreList} for an entry that is not `CODE[,CODE][: reason]` or names no rule. */
export class IgnoreListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IgnoreListError';
  }
}

const KNOWN = new Set(RULES.map((r) => r.code));
const CODE = /^[A-Z]+[0-9]+$/;

/** Splits one entry into codes and reason; undefined when its code list is malformed. */
function parseEntry(text: string): { codes: string[]; reason: string } | undefined {
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  const reason = colon < 0 ? '' : text.slice(colon + 1).trim();
  const codes = head.split(',').map((c) => c.trim());
  if (codes.length === 0 || codes.some((c) => !CODE.test(c))) return undefined;
  return { codes, reason };
}

/**
 * Parses a list of `CODE[,CODE][: reason]` entries (each value may hold several, one a line). `where` names
 * the option in the error. Throws {@link IgnoreListError} for a malformed entry or a code no rule has.
 */
export function parseIgnoreList(values: readonly string[], where = '--ignore'): IgnoreEntry[] {
  const out: IgnoreEntry[] = [];
  for (const value of values) {
    for (const line of value.split('\n')) {
      if (line.trim() === '') continue;
      const e = parseEntry(line.trim());
      if (!e) {
        throw new IgnoreListError(`${where}: ${JSON.stringify(line.trim())} is not CODE[,CODE][: reason]; write rule codes such as "BA011" or "BA011,WASM023: demo credentials"`);
      }
      const unknown = e.codes.find((c) => !KNOWN.has(c));
      if (unknown !== undefined) {
        throw new IgnoreListError(`${where}: ${JSON.stringify(unknown)} is not a rule code; use the codes listed in docs/rules.md (e.g. BA011)`);
      }
      out.push(e);
    }
  }
  return out;
}

/**
 * The entries of an object's ignore annotation. Lenient, as objects come from anyone's YAML: a malformed line
 * or an unknown code silences nothing (so the finding it meant stays in the report).
 */
export function annotationEntries(value: unknown): IgnoreEntry[] {
  if (typeof value !== 'string') return [];
  const out: IgnoreEntry[] = [];
  for (const line of value.split('\n')) {
    const e = line.trim() === '' ? undefined : parseEntry(line.trim());
    if (e) out.push(e);
  }
  return out;
}

const PLUGIN_KINDS = ['WasmPlugin', 'TrafficExtension'];

/** Whether an object is an auth plugin: a WasmPlugin or TrafficExtension in phase AUTHN or AUTHZ, or running basic_auth. */
export function isAuthPlugin(e: Entry): boolean {
  if (!PLUGIN_KINDS.includes(e.kind)) return false;
  const spec = e.manifest.spec ?? {};
  return AUTH_PHASES.includes(spec.phase) || isBasicAuthUrl(spec.url) || isBasicAuthUrl(spec.wasm?.url);
}

// the origin is part of the key: two objects of one name in two files are two objects
function objectKey(origin: string, kind: string, namespace: string, name: string): string {
  return `${origin}\u0000${kind}\u0000${namespace}\u0000${name}`;
}

const ANNOTATION_WHERE = `metadata.annotations["${IGNORE_ANNOTATION}"]`;

/**
 * Marks each finding that an annotation on its object, or an `ignore` entry, names: suppressed (with the
 * reason), or, for an error on an auth plugin whose suppression gives no reason, refused (the finding stays an
 * error, and says how to suppress it). The annotation wins over `ignore` when both name a code. Findings keep
 * their order; nothing is removed.
 */
export function applySuppressions(findings: readonly Finding[], model: MeshModel, options: SuppressionOptions = {}): Finding[] {
  const ignore = options.ignore ?? [];
  const byObject = new Map<string, Entry>();
  if (findings.length > 0) {
    for (const e of model.entries) {
      if (PLUGIN_KINDS.includes(e.kind) || e.manifest.metadata?.annotations?.[IGNORE_ANNOTATION] !== undefined) {
        byObject.set(objectKey(e.origin, e.kind, e.namespace, e.name), e);
      }
    }
  }
  if (byObject.size === 0 && ignore.length === 0) return [...findings];
  const parsed = new Map<Entry, IgnoreEntry[]>();
  const annotationOf = (e: Entry) => {
    let list = parsed.get(e);
    if (!list) { list = annotationEntries(e.manifest.metadata?.annotations?.[IGNORE_ANNOTATION]); parsed.set(e, list); }
    return list;
  };
  return findings.map((f) => {
    const entry = byObject.get(objectKey(f.origin, f.kind, f.namespace, f.name));
    const fromAnnotation = entry ? annotationOf(entry).find((x) => x.codes.includes(f.code)) : undefined;
    const fromOption = fromAnnotation ? undefined : ignore.find((x) => x.codes.includes(f.code));
    const hit = fromAnnotation ?? fromOption;
    if (!hit) return f;
    const suppression: Suppression = fromAnnotation
      ? { by: 'annotation', where: ANNOTATION_WHERE, reason: hit.reason }
      : { by: 'option', where: options.ignoreWhere ?? '--ignore', reason: hit.reason };
    if (hit.reason === '' && f.severity === Severity.ERROR && entry && isAuthPlugin(entry)) {
      // an auth plugin that applies nowhere is an open door: silencing that takes a reason a reviewer can read
      return { ...f, suppressionRefused: `${suppression.where} names ${f.code} without a reason, and an error on an auth plugin is only suppressed with one; write "${f.code}: <why>"` };
    }
    return { ...f, suppressed: suppression };
  });
}

/** ` (suppressed by <where>: <reason>)` or ` (not suppressed: <why>)` for text reports; empty otherwise. */
export function suppressionSuffix(f: Finding): string {
  if (f.suppressed) return ` [suppressed by ${f.suppressed.where}${f.suppressed.reason ? `: ${f.suppressed.reason}` : ''}]`;
  if (f.suppressionRefused) return ` [not suppressed: ${f.suppressionRefused}]`;
  return '';
}
