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

/**
 * Memoized spellings of scalars, per context and type (strings, numbers and booleans in maps of their own, so
 * that no key string is built per lookup). Bounded, so that a huge distinct set cannot grow without limit.
 */
const MEMO_LIMIT = 200_000;

class Memo {
  private readonly strings = new Map<string, string>();
  private readonly others = new Map<number | boolean, string>();
  /** Map keys treat -0 as 0, but YAML writes it as -0: it gets a slot of its own. */
  private negativeZero?: string;

  constructor(private readonly spell: (v: string | number | boolean) => string) {}

  public get(v: string | number | boolean): string {
    if (typeof v === 'string') return this.lookup(this.strings, v);
    if (v === 0 && Object.is(v, -0)) return (this.negativeZero ??= this.spell(v));
    return this.lookup(this.others, v);
  }

  private lookup<K extends string | number | boolean>(map: Map<K, string>, v: K): string {
    let hit = map.get(v);
    if (hit === undefined) {
      hit = this.spell(v);
      if (map.size >= MEMO_LIMIT) map.clear();
      map.set(v, hit);
    }
    return hit;
  }
}

/** The text between `prefix` and `suffix` of `yaml`, or Unsupported when it spans several lines. */
function single(yaml: string, prefix: string, suffix: string): string {
  if (!yaml.startsWith(prefix) || !yaml.endsWith(suffix)) throw UNSUPPORTED;
  const body = yaml.slice(prefix.length, yaml.length - suffix.length);
  if (body.includes('\n')) throw UNSUPPORTED;
  return body;
}

// what isPlainAsIs reads: the characters of names, and the YAML 1.1 words and floats among such strings
const SIMPLE = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const EXPONENT = /^[eE]-?[0-9]+$/;
const WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);

/**
 * Whether `yaml` (as cdk8s's Yaml.stringify runs it, YAML 1.1) writes a string as it is, in every place: names
 * like `ns-42` or `reviews-v1`, most scalars of a manifest, spelled without a call into the library (which
 * costs ~40 µs; names differ per namespace, so the memo cannot serve them). Letters, digits, dots, dashes,
 * underscores and slashes after a letter hold none of the characters that need quotes, and of such strings
 * YAML 1.1 (the `yaml` library's bool, null, int, float and timestamp tests) reads as something else only its
 * boolean and null words, and an exponent with no mantissa (`e3`, `E-5`) as a float. Long ones are left to the
 * library (a key of over 1,024 characters is written as an explicit `? key`). Tested exhaustively on short
 * strings and by properties against the library; anything else is spelled by it.
 */
export function isPlainAsIs(v: string): boolean {
  return v.length <= 128 && SIMPLE.test(v) && !WORDS.has(v) && !EXPONENT.test(v);
}

/** The spelling of a scalar in one place, given how the library writes it there. */
const spelled = (library: (v: string | number | boolean) => string) => (v: string | number | boolean): string =>
  typeof v === 'string' && isPlainAsIs(v) ? v : library(v);

/** A scalar as a map value (`key: <here>`), as a sequence item (`- <here>`), and a map key (`<here>: value`). */
const spellValue = spelled((v) => single(Yaml.stringify({ a: v }), 'a: ', '\n'));
const spellItem = spelled((v) => single(Yaml.stringify([v]), '- ', '\n'));
const spellKey = spelled((k) => single(Yaml.stringify({ [String(k)]: 0 }), '', ': 0\n'));
const valueMemo = new Memo(spellValue);
const itemMemo = new Memo(spellItem);
const keyMemo = new Memo(spellKey);

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function isEmpty(o: Record<string, Json>): boolean {
  for (const _ in o) return false;
  return true;
}

/** The `key: value` lines of a map whose entries start at `indent`; `first` is the prefix of the first line. */
function emitMap(map: Record<string, Json>, indent: string, first: string): string {
  let out = '';
  let prefix = first;
  for (const key in map) {
    const v = map[key];
    const k = keyMemo.get(key);
    const t = typeof v;
    if (t === 'string' || t === 'number' || t === 'boolean') {
      out += `${prefix}${k}: ${valueMemo.get(v as string | number | boolean)}\n`;
    } else if (Array.isArray(v)) {
      out += v.length === 0 ? `${prefix}${k}: []\n` : `${prefix}${k}:\n${emitSeq(v, `${indent}  `)}`;
    } else if (isPlainObject(v)) {
      if (isEmpty(v)) out += `${prefix}${k}: {}\n`;
      else {
        const inner = `${indent}  `;
        out += `${prefix}${k}:\n${emitMap(v, inner, inner)}`;
      }
    } else {
      throw UNSUPPORTED;
    }
    prefix = indent;
  }
  return out;
}

/** The `- item` lines of a sequence whose dashes sit at `indent`. */
function emitSeq(seq: Json[], indent: string): string {
  let out = '';
  for (const v of seq) {
    const t = typeof v;
    if (t === 'string' || t === 'number' || t === 'boolean') {
      out += `${indent}- ${itemMemo.get(v as string | number | boolean)}\n`;
    } else if (isPlainObject(v)) {
      out += isEmpty(v) ? `${indent}- {}\n` : emitMap(v, `${indent}  `, `${indent}- `);
    } else {
      // nested sequences, nulls, non-plain objects: left to the yaml library
      throw UNSUPPORTED;
    }
  }
  return out;
}

/** Whether the fast path produced the last document (false = it fell back to `Yaml.stringify`). */
export interface EmitStats {
  fast: number;
  fallback: number;
}

export const emitStats: EmitStats = { fast: 0, fallback: 0 };

/** YAML of one object, identical to `Yaml.stringify(doc)` from cdk8s. */
export function toYaml(doc: Json): string {
  if (isPlainObject(doc) && !isEmpty(doc)) {
    try {
      const out = emitMap(doc, '', '');
      emitStats.fast++;
      return out;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  emitStats.fallback++;
  return Yaml.stringify(doc);
}
