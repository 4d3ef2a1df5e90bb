/**
 * Writes one rendered Kubernetes object as YAML, byte for byte what cdk8s's `Yaml.stringify` writes, at a
 * fraction of the cost: the `yaml` library spends ~100 µs per manifest, which at 70,000 objects dominates
 * synthesis. Structure (block maps and sequences, 2-space indent, sequences indented under their key) is
 * laid out here; every scalar is spelled by cdk8s's own `Yaml.stringify` and memoized, since names, labels
 * and images repeat across namespaces. Anything outside the handled shapes (multi-line scalars, nested
 * sequences, nulls) falls back to `Yaml.stringify` for the whole document, so output never diverges.
 */
import { Yaml } from 'cdk8s';

/** Raised inside the emitter when a document needs the full `yaml` library. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

type Json = unknown;

/** Memoized spellings of scalars by context; bounded so that a huge distinct set cannot grow without limit. */
const MEMO_LIMIT = 200_000;
const valueMemo = new Map<string, string>();
const itemMemo = new Map<string, string>();
const keyMemo = new Map<string, string>();

function memoKey(v: Json): string {
  // type prefix keeps 1 (number), "1" (string) and true/"true" apart; String(-0) is "0", YAML writes -0
  if (v === 0 && Object.is(v, -0)) return 'number:-0';
  return `${typeof v}:${String(v)}`;
}

function remember(memo: Map<string, string>, k: string, spelled: string): string {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(k, spelled);
  return spelled;
}

/** The text between `prefix` and the final newline of `yaml`, or Unsupported when it spans several lines. */
function single(yaml: string, prefix: string, suffix: string): string {
  if (!yaml.startsWith(prefix) || !yaml.endsWith(suffix)) throw UNSUPPORTED;
  const body = yaml.slice(prefix.length, yaml.length - suffix.length);
  if (body.includes('\n')) throw UNSUPPORTED;
  return body;
}

function isScalar(v: Json): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean';
}

/** A scalar as a map value (`key: <here>`). */
function valueScalar(v: Json): string {
  const k = memoKey(v);
  const hit = valueMemo.get(k);
  if (hit !== undefined) return hit;
  return remember(valueMemo, k, single(Yaml.stringify({ a: v }), 'a: ', '\n'));
}

/** A scalar as a sequence item (`- <here>`). */
function itemScalar(v: Json): string {
  const k = memoKey(v);
  const hit = itemMemo.get(k);
  if (hit !== undefined) return hit;
  return remember(itemMemo, k, single(Yaml.stringify([v]), '- ', '\n'));
}

/** A map key (`<here>: value`). */
function keyScalar(key: string): string {
  const hit = keyMemo.get(key);
  if (hit !== undefined) return hit;
  return remember(keyMemo, key, single(Yaml.stringify({ [key]: 0 }), '', ': 0\n'));
}

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Appends `key: value` lines of a map whose entries start at `indent`; `first` is the prefix of the first line. */
function emitMap(out: string[], map: Record<string, Json>, indent: string, first: string): void {
  let prefix = first;
  for (const key of Object.keys(map)) {
    const v = map[key];
    const k = keyScalar(key);
    if (isScalar(v)) {
      out.push(`${prefix}${k}: ${valueScalar(v)}\n`);
    } else if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${prefix}${k}: []\n`);
      else {
        out.push(`${prefix}${k}:\n`);
        emitSeq(out, v, `${indent}  `);
      }
    } else if (isPlainObject(v)) {
      if (Object.keys(v).length === 0) out.push(`${prefix}${k}: {}\n`);
      else {
        out.push(`${prefix}${k}:\n`);
        const inner = `${indent}  `;
        emitMap(out, v, inner, inner);
      }
    } else {
      throw UNSUPPORTED;
    }
    prefix = indent;
  }
}

/** Appends `- item` lines of a sequence whose dashes sit at `indent`. */
function emitSeq(out: string[], seq: Json[], indent: string): void {
  for (const v of seq) {
    if (isScalar(v)) {
      out.push(`${indent}- ${itemScalar(v)}\n`);
    } else if (isPlainObject(v)) {
      if (Object.keys(v).length === 0) out.push(`${indent}- {}\n`);
      else emitMap(out, v, `${indent}  `, `${indent}- `);
    } else {
      // nested sequences, nulls, non-plain objects: left to the yaml library
      throw UNSUPPORTED;
    }
  }
}

/** Whether the fast path produced the last document (false = it fell back to `Yaml.stringify`). */
export interface EmitStats {
  fast: number;
  fallback: number;
}

export const emitStats: EmitStats = { fast: 0, fallback: 0 };

/** YAML of one object, identical to `Yaml.stringify(doc)` from cdk8s. */
export function toYaml(doc: Json): string {
  if (isPlainObject(doc) && Object.keys(doc).length > 0) {
    const out: string[] = [];
    try {
      emitMap(out, doc, '', '');
      emitStats.fast++;
      return out.join('');
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  emitStats.fallback++;
  return Yaml.stringify(doc);
}
