/**
 * A reader for the plainest YAML documents, the ones `cdk8s synth`, our GitOps writer and `kubectl get -o yaml`
 * write: block maps and sequences, one scalar per line (plain, single- or double-quoted), `{}` and `[]`, and
 * comments. It builds exactly what js-yaml's core schema builds for them (plain scalars are resolved by js-yaml's
 * own null, bool, int and float types), at a fraction of the cost, and gives up ({@link NOT_SIMPLE}) on anything
 * else: anchors, aliases, tags, block and multi-line scalars, flow collections with content, explicit keys,
 * tabs, CR line ends, duplicate keys, a `__proto__` key, characters js-yaml refuses, nesting deeper than the
 * loader allows. The caller then parses the document with js-yaml, so what it returns never depends on this
 * reader: property tests compare the two on random documents, and on every manifest of the project.
 */
import { jsYamlModule } from './parsers';

/** What {@link parseSimpleBlock} returns for a document it leaves to js-yaml. */
export const NOT_SIMPLE: unique symbol = Symbol('not simple');

class NotSimple extends Error {}
const GIVE_UP = new NotSimple();

// js-yaml refuses these anywhere in the input (PATTERN_NON_PRINTABLE); a tab or CR is left to it too
const UNREADABLE = /[\x00-\x08\x09\x0B\x0C\x0D\x0E-\x1F\x7F-\x84\x86-\x9F\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
const NOT_PLAIN_ASCII = /[^\x20-\x7e\n]/;
// a plain scalar (or key) may not start with an indicator; "-" only when a non-space follows
const PLAIN_START = /^(?:[^-?:,[\]{}#&*!|>'"%@`\s]|-(?=\S))/;

interface ImplicitType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

// js-yaml's implicit types, read from it when the first document is parsed (see ./parsers): plain() reads these
// two on every scalar, so they are variables, not a call
let IMPLICIT: readonly ImplicitType[] = [];
let CORE_TYPES_ONLY = false;
let implicitRead = false;
function readImplicitTypes(): void {
  IMPLICIT = (jsYamlModule().CORE_SCHEMA as any).compiledImplicit;
  // the shortcut in plain() knows these four; another js-yaml with more implicit types resolves every scalar
  CORE_TYPES_ONLY = IMPLICIT.map((t: any) => t.tag).join(',') === ['null', 'bool', 'int', 'float'].map((t) => `tag:yaml.org,2002:${t}`).join(',');
  implicitRead = true;
}
const RESOLVED = new Map<string, unknown>();
const RESOLVED_LIMIT = 100_000;

/**
 * A plain scalar as js-yaml's core schema reads it (composeNode's implicit resolution). Only what starts like a
 * null, bool, int or float can be one (`~`, a digit, a sign, a dot, or `null`/`true`/`false` in their spellings,
 * 4 or 5 letters): the rest are strings without a look at the types; the others are resolved once and memoized.
 */
function plain(s: string): unknown {
  const c = s.charCodeAt(0);
  if (!CORE_TYPES_ONLY) return resolve(s);
  const maybeTyped = s.length === 0 || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x7e
    || ((s.length === 4 || s.length === 5) && (c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46));
  if (!maybeTyped) return s;
  const hit = RESOLVED.get(s);
  if (hit !== undefined || RESOLVED.has(s)) return hit;
  const v = resolve(s);
  if (RESOLVED.size >= RESOLVED_LIMIT) RESOLVED.clear();
  RESOLVED.set(s, v);
  return v;
}

function resolve(s: string): unknown {
  for (const t of IMPLICIT) if (t.resolve(s)) return t.construct(s);
  return s;
}

interface Line {
  readonly indent: number;
  /** The line without its indentation. */
  readonly text: string;
}

/** The end of a plain scalar: before a ` #` comment, trailing spaces trimmed. */
function plainBody(s: string): string {
  const hash = s.indexOf(' #');
  const body = hash < 0 ? s : s.slice(0, hash);
  return body.charCodeAt(body.length - 1) === 0x20 ? body.replace(/ +$/, '') : body;
}

/** The rest after a quoted scalar must be blank or a comment. */
function restIsBlank(rest: string): boolean {
  const r = rest.replace(/^ +/, '');
  return r === '' || r.startsWith('#');
}

/** A quoted scalar at the start of `s` (one line): its value and what follows it. */
function quoted(s: string): { value: string; rest: string } {
  if (s.startsWith("'")) {
    let out = '';
    let i = 1;
    for (;;) {
      const q = s.indexOf("'", i);
      if (q < 0) throw GIVE_UP; // continues on the next line
      out += s.slice(i, q);
      if (s[q + 1] === "'") {
        out += "'";
        i = q + 2;
        continue;
      }
      return { value: out, rest: s.slice(q + 1) };
    }
  }
  // double-quoted: the escapes JSON has mean the same in YAML; any other escape is left to js-yaml
  let i = 1;
  for (;;) {
    const c = s.indexOf('"', i);
    if (c < 0) throw GIVE_UP;
    let backslashes = 0;
    for (let k = c - 1; k > 0 && s[k] === '\\'; k--) backslashes++;
    if (backslashes % 2 === 1) {
      i = c + 1;
      continue;
    }
    const body = s.slice(0, c + 1);
    let value: string;
    if (!body.includes('\\')) value = body.slice(1, -1);
    else {
      if (/\\[^"\\/bfnrtu]/.test(body)) throw GIVE_UP;
      try {
        value = JSON.parse(body);
      } catch {
        throw GIVE_UP;
      }
    }
    return { value, rest: s.slice(c + 1) };
  }
}

/** A scalar written after `key: ` or `- `, or `{}` / `[]`. */
function scalar(s: string): unknown {
  const c = s[0];
  if (c === "'" || c === '"') {
    const q = quoted(s);
    if (!restIsBlank(q.rest)) throw GIVE_UP;
    return q.value;
  }
  if (c === '{' || c === '[') {
    const body = plainBody(s);
    if (body === '{}') return {};
    if (body === '[]') return [];
    throw GIVE_UP;
  }
  if (!PLAIN_START.test(s)) throw GIVE_UP;
  const body = plainBody(s);
  // "a: b: c" and "a: b:" are errors or keys in YAML, never this scalar
  if (body.includes(': ') || body.endsWith(':')) throw GIVE_UP;
  return plain(body);
}

/** The key of a `key: ...` line and what follows the colon, or undefined when the line is not one. */
function keyOf(text: string): { key: string; rest: string } | undefined {
  const c = text[0];
  if (c === "'" || c === '"') {
    const q = quoted(text);
    if (q.rest !== ':' && !q.rest.startsWith(': ')) return undefined;
    return { key: q.value, rest: q.rest.slice(1) };
  }
  if (!PLAIN_START.test(text)) return undefined;
  let colon = text.indexOf(': ');
  if (colon < 0 && text.endsWith(':')) colon = text.length - 1;
  if (colon < 0) return undefined;
  const raw = text.slice(0, colon);
  if (raw.includes(' #') || raw.endsWith(' ')) throw GIVE_UP;
  // a plain key is resolved as any plain scalar, then made a string (js-yaml's storeMappingPair)
  return { key: String(plain(raw)), rest: text.slice(colon + 1) };
}

/**
 * One document (the text of one `---` part) as js-yaml's core schema reads it, or {@link NOT_SIMPLE}.
 * `maxDepth` is the loader's nesting limit: deeper documents are left to the parsers that report it.
 */
export function parseSimpleBlock(doc: string, maxDepth: number): unknown {
  if (!implicitRead) readImplicitTypes();
  // printable ASCII and line feeds only is the common case, and a cheaper test than the full one
  if (NOT_PLAIN_ASCII.test(doc) && UNREADABLE.test(doc)) return NOT_SIMPLE;
  const lines: Line[] = [];
  let first = true;
  for (let start = 0; start <= doc.length;) {
    let end = doc.indexOf('\n', start);
    if (end < 0) end = doc.length;
    let i = start;
    while (doc.charCodeAt(i) === 0x20) i++;
    const indent = i - start;
    const c = doc.charCodeAt(i);
    const lineStart = start;
    start = end + 1;
    if (i === end || c === 0x23 /* # */) continue;
    const text = doc.slice(lineStart + indent, end);
    if (first && indent === 0 && text.startsWith('---')) {
      // the document marker, alone or with a comment
      if (text !== '---' && !/^--- +(#.*)?$/.test(text)) return NOT_SIMPLE;
      first = false;
      continue;
    }
    first = false;
    lines.push({ indent, text: text.charCodeAt(text.length - 1) === 0x20 ? text.replace(/ +$/, '') : text });
  }
  if (lines.length === 0) return NOT_SIMPLE;
  let at = 0;

  const block = (indent: number, depth: number): unknown => {
    if (depth > maxDepth) throw GIVE_UP;
    const line = lines[at];
    return line.text === '-' || line.text.startsWith('- ') ? sequence(line.indent, depth) : mapping(indent, depth);
  };

  /** What follows `key:` or `-` with nothing after it: a nested block, a sequence at the same indent, or null. */
  const nested = (indent: number, depth: number, sameIndentSequence: boolean): unknown => {
    const next = lines[at];
    if (next && next.indent > indent) return block(next.indent, depth + 1);
    if (sameIndentSequence && next && next.indent === indent && (next.text === '-' || next.text.startsWith('- '))) return sequence(indent, depth + 1);
    return null;
  };

  const mapping = (indent: number, depth: number, firstText?: string): Record<string, unknown> => {
    if (depth > maxDepth) throw GIVE_UP;
    const out: Record<string, unknown> = {};
    let pending = firstText; // a map that starts on a `- ` line (already read)
    for (;;) {
      let text: string;
      if (pending !== undefined) {
        text = pending;
        pending = undefined;
      } else {
        const line = lines[at];
        if (!line || line.indent < indent) return out;
        if (line.indent > indent) throw GIVE_UP; // a continuation line, or an error: js-yaml decides
        text = line.text;
        at++;
      }
      const kv = keyOf(text);
      if (!kv) throw GIVE_UP;
      const { key, rest } = kv;
      // own keys only (never undefined here); an inherited name such as "constructor" is no duplicate
      if (key === '__proto__' || (out[key] !== undefined && Object.prototype.hasOwnProperty.call(out, key))) throw GIVE_UP;
      const value = rest.charCodeAt(0) === 0x20 && rest.charCodeAt(1) !== 0x20 ? rest.slice(1) : rest.replace(/^ +/, '');
      if (value === '' || value.startsWith('#')) {
        if (rest !== '' && !rest.startsWith(' ')) throw GIVE_UP;
        out[key] = nested(indent, depth, true);
      } else {
        if (!rest.startsWith(' ')) throw GIVE_UP;
        out[key] = scalar(value);
      }
    }
  };

  const sequence = (indent: number, depth: number): unknown[] => {
    if (depth > maxDepth) throw GIVE_UP;
    const out: unknown[] = [];
    for (;;) {
      const line = lines[at];
      if (!line || line.indent < indent) return out;
      if (line.indent > indent) throw GIVE_UP;
      if (line.text !== '-' && !line.text.startsWith('- ')) return out; // the map that holds this sequence goes on
      at++;
      if (line.text === '-') {
        out.push(nested(indent, depth, false));
        continue;
      }
      let item = line.text.slice(2);
      let column = indent + 2;
      while (item.startsWith(' ')) {
        item = item.slice(1);
        column++;
      }
      if (item === '' || item.startsWith('#')) {
        out.push(nested(indent, depth, false));
      } else if (item === '-' || item.startsWith('- ')) {
        throw GIVE_UP; // a sequence in a sequence on one line
      } else if (keyOf(item) !== undefined) {
        // a map that starts on the dash's line: its keys sit at the column of the first one
        out.push(mapping(column, depth + 1, item));
      } else {
        out.push(scalar(item));
      }
    }
  };

  try {
    const value = block(lines[0].indent, 1);
    if (at !== lines.length) return NOT_SIMPLE; // something is left: js-yaml decides what
    return value;
  } catch (e) {
    if (e instanceof NotSimple) return NOT_SIMPLE;
    throw e;
  }
}
