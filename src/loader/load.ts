/**
 * Reads Kubernetes YAML from files and folders: multi-document files, `List` kinds, any layout. Every object
 * keeps `file:line` as its origin. Malformed YAML is reported with file and line, never thrown.
 *
 * This is the one place that decides what YAML input is accepted, for `analyze`, `simulate` and the
 * validation plugin alike (docs/limits.md): regular files only, at most {@link DEFAULT_MAX_FILE_BYTES} each
 * unless configured, UTF-8, nesting at most {@link MAX_NESTING} collections deep, aliases expanding to at
 * most {@link MAX_ALIAS_NODES} nodes and never into themselves, no duplicate keys. Each real directory is
 * visited once, so symbolic-link loops end.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NOT_SIMPLE, parseSimpleBlock } from './block-yaml';
import { STAT_FIELDS, statAsGit } from './git-index';
import { FileHash, hashInParallel, loadInParallel, startStatInParallel } from './parallel';
import type * as JsYaml from 'js-yaml';
import type { CST, Document, LineCounter } from 'yaml';
import { jsYamlModule, yamlModule } from './parsers';
import { SourcedManifest } from '../model/manifest';

/** A file or document that could not be read (or, in `warnings`, that reads as nothing). */
export interface LoadError {
  readonly file: string;
  /** 1-based; 0 when the problem is the file as a whole. */
  readonly line: number;
  readonly message: string;
  /** 1-based column, where the parser knows it. */
  readonly column?: number;
}

export interface LoadResult {
  readonly objects: SourcedManifest[];
  readonly errors: LoadError[];
  /** Files read (or found and refused), in the order read. */
  readonly files: string[];
  /** Input that reads but holds nothing, such as an empty file (always set by {@link loadManifests}). */
  readonly warnings?: LoadError[];
}

/** Options of {@link loadManifests}. */
export interface LoadOptions {
  /**
   * Largest file read, in bytes; a larger file is a load error.
   *
   * @default DEFAULT_MAX_FILE_BYTES (64 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * Worker threads that read and parse files beside the calling thread, for large inputs; the result is the
   * same as on one thread (objects, errors and warnings in the same order). 0 reads on the calling thread only.
   *
   * @default - one fewer than the processors (at most 3), when there are at least 1,000 files; else 0
   */
  readonly workerThreads?: number;
}

/** The default cap on one file's size: 64 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Collections nested deeper than this are a load error (the pinned CRDs, the deepest input we know, reach 35). */
export const MAX_NESTING = 100;
/** What the documents of one file may expand to through aliases, in nodes (a node reached twice counts twice). */
export const MAX_ALIAS_NODES = 1_000_000;

/** One file's parse result; `documents` counts the documents that held anything at all. */
export interface ParsedFile {
  readonly objects: SourcedManifest[];
  readonly errors: LoadError[];
  readonly documents: number;
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/**
 * Every YAML/JSON file under the given paths, sorted so results are stable; dot-folders and node_modules
 * skipped. Symbolic links are followed, but each real directory and file is visited once, so a link loop
 * ends and a file linked twice is read once. Files are not opened here (see {@link readManifestFile}).
 */
export function listManifestFiles(paths: readonly string[]): { files: string[]; errors: LoadError[] } {
  // the loader's own walk, then one stat a file to drop a file reached twice (the loader does that as it opens them)
  const listed = listFiles(paths);
  const seen = new Set<string>();
  const files = listed.files.filter((f) => {
    let id: string;
    try {
      const st = fs.statSync(f);
      id = `${st.dev}:${st.ino}`;
    } catch {
      return true; // gone since: reading it says why
    }
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { files, errors: listed.errors };
}

function statError(p: string, e: any): string {
  if (e?.code === 'ENOENT') {
    let link = false;
    try {
      link = fs.lstatSync(p).isSymbolicLink();
    } catch {
      // not there at all
    }
    return link ? 'a symbolic link to nothing (its target does not exist)' : 'no such file or directory';
  }
  if (e?.code === 'ELOOP') return 'a symbolic link that leads back to itself';
  return firstLine(e);
}

function kindOfStats(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/**
 * Reads one file as UTF-8 text, refusing anything that is not a regular file (a FIFO or a device would block
 * or never end), larger than `maxFileBytes`, or not valid UTF-8.
 */
export function readManifestFile(file: string, options: LoadOptions = {}): { text: string } | { error: LoadError } {
  const r = readChecked(file, options.maxFileBytes);
  return 'error' in r ? r : { text: r.text };
}

/** {@link readManifestFile}, with the file's identity (`dev:ino`) for reading each file once. */
export function readChecked(file: string, maxFileBytes: number | undefined): { text: string; id: string; bytes: number } | { error: LoadError } {
  const max = maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const fail = (message: string, line = 0, column?: number) => ({ error: { file, line, message, ...(column ? { column } : {}) } });
  let fd: number;
  try {
    // non-blocking: opening a FIFO for reading would otherwise wait for a writer forever
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e: any) {
    return fail(e?.code === 'EACCES' ? 'permission denied' : statError(file, e));
  }
  let bytes: Buffer;
  let id: string;
  try {
    const st = fs.fstatSync(fd);
    id = `${st.dev}:${st.ino}`;
    if (!st.isFile()) return fail(`${kindOfStats(st)}, not a regular file; only regular files are read`);
    if (st.size > max) return fail(`is ${st.size} bytes, more than the ${mib(max)} a file may have; split it, or raise the limit (--max-file-size)`);
    // read what fstat says, and one byte more to notice a file that grows while we read it
    bytes = Buffer.allocUnsafe(st.size + 1);
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === bytes.length) return fail(`grew while it was read; read it again when it is complete`);
      // a regular file gives all it has up to a read's size: the size fstat gave, and no byte more, is the end
      if (got === st.size) break;
    }
    bytes = bytes.subarray(0, got);
  } catch (e: any) {
    return fail(`cannot read the file (${e?.code ?? firstLine(e)})`);
  } finally {
    fs.closeSync(fd);
  }
  const bad = invalidUtf8(bytes);
  if (bad) return fail(bad.message, bad.line, bad.column);
  return { text: bytes.toString('utf8'), id, bytes: bytes.length };
}

/** Where a buffer stops being UTF-8, or undefined when all of it is. */
function invalidUtf8(bytes: Buffer): { line: number; column: number; message: string } | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { line: 1, column: 1, message: 'is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8' };
  }
  if (isUtf8(bytes)) return undefined;
  const at = firstInvalidUtf8(bytes);
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < at; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = Buffer.from(bytes.subarray(lineStart, at)).toString('utf8').length + 1;
  const hex = bytes[at].toString(16).padStart(2, '0');
  return { line, column, message: `is not valid UTF-8 (byte 0x${hex} at column ${column}); save the file as UTF-8` };
}

// buffer.isUtf8 is native (Node 18.14+); the decoder is the fallback
const nativeIsUtf8: ((b: Buffer) => boolean) | undefined = (require('buffer') as any).isUtf8;
function isUtf8(bytes: Buffer): boolean {
  if (nativeIsUtf8) return nativeIsUtf8(bytes);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) { n = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length - 1;
}

/** Parses one file's text into sourced objects; `display` is the name used in origins. */
export function parseManifests(text: string, display: string): ParsedFile {
  return parseFast(text, display) ?? parseExact(text, display);
}

// a line that starts a new document (`---`); YAML forbids it at column 0 inside any scalar
const DOC_START = /^---(?=[ \t\r\n]|$)/gm;
// what only the exact parser handles: directives and document end markers
const UNUSUAL = /^%|^\.\.\.(?=[ \t\r\n]|$)/m;

/**
 * The fast path (about ten times faster than the exact parser on large trees): the file is split at its
 * `---` lines and each document parsed with js-yaml's YAML 1.2 core schema. It gives up (undefined) on
 * anything unusual, on any parse error (duplicate keys and nesting deeper than js-yaml's 100 levels
 * included) and on any alias, and the exact parser then reads the whole file, so errors, limits and edge
 * cases are reported exactly as it reports them. Without a `&` in the text there is no anchor, so no alias:
 * only then is the result used without a look at its shape.
 */
function parseFast(text: string, display: string): ParsedFile | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const mayAlias = text.includes('&');
  const starts = [0];
  for (const m of text.matchAll(DOC_START)) if (m.index! > 0) starts.push(m.index!);
  const objects: SourcedManifest[] = [];
  const errors: LoadError[] = [];
  let documents = 0;
  let line = 1; // line number at `pos`
  let pos = 0;
  for (let d = 0; d < starts.length; d++) {
    const end = d + 1 < starts.length ? starts[d + 1] : text.length;
    line += countNewlines(text, pos, starts[d]);
    pos = starts[d];
    const chunk = text.slice(starts[d], end);
    // the plainest documents (what cdk8s and kubectl write) are read without js-yaml, to the same value
    let value: unknown = parseSimpleBlock(chunk, MAX_NESTING);
    if (value === NOT_SIMPLE) {
      try {
        const jsyaml = jsYamlModule();
        value = jsyaml.load(chunk, { schema: jsyaml.CORE_SCHEMA, maxDepth: MAX_NESTING } as JsYaml.LoadOptions); // maxDepth: js-yaml 4.1.1+, untyped
      } catch {
        return undefined;
      }
    }
    if (value === null || value === undefined) continue;
    // js-yaml shares an aliased node instead of copying it: a shared node means an alias, for the exact parser
    if (mayAlias && !isTree(value)) return undefined;
    documents++;
    const first = line + firstContentOffset(chunk);
    pushObject(value, `${display}:${first}`, objects, errors, display, first);
  }
  return { objects, errors, documents };
}

/** Whether no object or array is reachable twice (no alias, no cycle). */
function isTree(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v)) return false;
    seen.add(v);
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (c !== null && typeof c === 'object') stack.push(c);
  }
  return true;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Lines before a document's first content line: blanks, comments and a bare `---`. */
function firstContentOffset(chunk: string): number {
  let offset = 0;
  let at = 0;
  while (at < chunk.length) {
    const nl = chunk.indexOf('\n', at);
    const l = chunk.slice(at, nl < 0 ? chunk.length : nl).trim();
    if (l !== '' && !l.startsWith('#') && !/^---(\s+#.*)?$/.test(l)) return offset;
    if (nl < 0) break;
    offset++;
    at = nl + 1;
  }
  return offset;
}

/**
 * The exact parser (the `yaml` package): every error with its line and column. Nesting is measured on its
 * concrete syntax tree, which it builds without recursion, before anything recursive runs on the input (a
 * stack overflow inside the parser can leave the process unable to run regular expressions). Duplicate keys
 * are errors, as in kubectl's strict decoding; aliases are bounded by {@link MAX_ALIAS_NODES}.
 */
export function parseExact(text: string, display: string): ParsedFile {
  const objects: SourcedManifest[] = [];
  const errors: LoadError[] = [];
  const composed = composeGuarded(text, display);
  if ('error' in composed) return { objects, errors: [composed.error], documents: 0 };
  const { docs, lines } = composed;
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let budget = MAX_ALIAS_NODES;
  let documents = 0;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      errors.push({ file: display, ...at(err.pos[0]), message: err.code === 'DUPLICATE_KEY' ? duplicateKeyMessage(text, err.pos[0]) : err.message.split('\n')[0].replace(/:$/, '') });
      continue;
    }
    const js = boundedJs(doc, budget);
    if ('error' in js) {
      errors.push({ file: display, ...at(firstAliasOffset(doc.contents) ?? doc.range[0]), message: js.error });
      continue;
    }
    budget -= js.size;
    const value = js.value;
    if (value === null || value === undefined) continue;
    documents++;
    const start = firstContentLine(doc, lines);
    pushObject(value, `${display}:${start}`, objects, errors, display, start);
  }
  return { objects, errors, documents };
}

/**
 * One YAML document (a batch file of checks, for instance) read under the loader's limits: nesting,
 * duplicate keys, aliases. The document keeps its nodes and ranges for callers that report positions; its
 * `toJS()`/`toJSON()` stay within {@link MAX_ALIAS_NODES}.
 */
export function parseYamlDocument(text: string, display: string): { doc: Document.Parsed; lines: LineCounter } | { error: LoadError } {
  const composed = composeGuarded(text, display);
  if ('error' in composed) return composed;
  const { docs, lines } = composed;
  if (docs.length !== 1) {
    return { error: { file: display, line: docs.length === 0 ? 1 : lines.linePos(docs[1].range[0]).line, message: docs.length === 0 ? 'the file is empty' : 'holds more than one YAML document; keep one' } };
  }
  const doc = docs[0];
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const p = lines.linePos(err.pos[0]);
    return { error: { file: display, line: p.line, column: p.col, message: err.code === 'DUPLICATE_KEY' ? duplicateKeyMessage(text, err.pos[0]) : err.message.split('\n')[0].replace(/:$/, '') } };
  }
  const js = boundedJs(doc, MAX_ALIAS_NODES);
  if ('error' in js) {
    const p = lines.linePos(firstAliasOffset(doc.contents) ?? doc.range[0]);
    return { error: { file: display, line: p.line, column: p.col, message: js.error } };
  }
  return { doc, lines };
}

/** The concrete syntax tree, measured for depth before anything recursive runs, then composed. */
function composeGuarded(text: string, display: string): { docs: Document.Parsed[]; lines: LineCounter } | { error: LoadError } {
  const { Composer, LineCounter, Parser } = yamlModule();
  const lines = new LineCounter();
  let tokens: CST.Token[];
  try {
    tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  } catch (e: any) {
    return { error: { file: display, line: 1, message: firstLine(e) } };
  }
  const deep = tooDeep(tokens, MAX_NESTING);
  if (deep !== undefined) {
    const p = lines.linePos(deep);
    return { error: { file: display, line: p.line, column: p.col, message: `nesting is deeper than ${MAX_NESTING} levels; Kubernetes objects are far shallower, so this is not a manifest (or it is built to exhaust a parser)` } };
  }
  try {
    return { docs: Array.from(new Composer({ uniqueKeys: true, prettyErrors: false }).compose(tokens, false, text.length)), lines };
  } catch (e: any) {
    return { error: { file: display, line: 1, message: firstLine(e) } };
  }
}

/** A document's value with aliases bounded: yaml's own alias check, then the expanded size and cycles. */
function boundedJs(doc: Document.Parsed, budget: number): { value: unknown; size: number } | { error: string } {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e: any) {
    return { error: /alias/i.test(String(e?.message)) ? aliasMessage(String(e.message)) : firstLine(e) };
  }
  if (doc.contents === null || !hasAlias(doc.contents)) return { value, size: 0 };
  const size = expandedSize(value, budget);
  if (size === CYCLE) return { error: 'an alias refers to the node that contains it, so the document never ends; replace the alias with the value it should repeat' };
  if (size < 0) return { error: `aliases expand this file to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} nodes (an alias bomb?); write the values out, or split the file` };
  return { value, size };
}

function aliasMessage(message: string): string {
  if (/resource exhaustion/.test(message)) return 'aliases would expand this document without bound (an alias bomb?); write the values out';
  return message.split('\n')[0];
}

function duplicateKeyMessage(text: string, offset: number): string {
  const m = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:\n#]*?)\s*:/.exec(text.slice(offset, offset + 300));
  const key = m ? m[1].trim() : '';
  const shown = key === '' ? 'a key' : `key ${/^["']/.test(key) ? key : JSON.stringify(key)}`;
  return `duplicate ${shown} in one map: kubectl's strict decoding rejects it, and other tools keep either value; keep one`;
}

/** The offset of the first collection nested deeper than `max`, or undefined. */
function tooDeep(tokens: readonly CST.Token[], max: number): number | undefined {
  const stack: Array<[CST.Token | null | undefined, number]> = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [t, depth] = stack.pop()!;
    if (!t) continue;
    switch (t.type) {
      case 'document':
        stack.push([t.value, depth]);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > max) return t.offset;
        for (const item of t.items as Array<{ key?: CST.Token | null; value?: CST.Token }>) {
          stack.push([item.key, depth + 1], [item.value, depth + 1]);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

const CYCLE = -2;

function hasAlias(node: unknown): boolean {
  return firstAliasOffset(node) !== undefined;
}

/** Where the first alias (in document order) starts: the place an alias error points at. */
function firstAliasOffset(node: unknown): number | undefined {
  const { isAlias, isCollection, isPair } = yamlModule();
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) return n.range?.[0] ?? 0;
    if (isPair(n)) stack.push(n.value, n.key);
    else if (isCollection(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
  return undefined;
}

/**
 * Nodes of `value` counted as if every alias were written out, or -1 once past `budget`, or {@link CYCLE}
 * when a node contains itself. Iterative, and it stops at the budget, so it is bounded however the
 * aliases nest.
 */
function expandedSize(value: unknown, budget: number): number {
  let count = 0;
  const onPath = new Set<object>();
  const stack: Array<{ v: unknown; exit?: boolean }> = [{ v: value }];
  while (stack.length > 0) {
    const { v, exit } = stack.pop()!;
    if (exit) {
      onPath.delete(v as object);
      continue;
    }
    if (++count > budget) return -1;
    if (v === null || typeof v !== 'object') continue;
    if (onPath.has(v)) return CYCLE;
    onPath.add(v);
    stack.push({ v, exit: true });
    for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: c });
  }
  return count;
}

function firstContentLine(doc: any, lines: LineCounter): number {
  const node = doc.contents;
  const offset = node && Array.isArray(node.range) ? node.range[0] : doc.range[0];
  return lines.linePos(offset).line;
}

function pushObject(value: unknown, origin: string, out: SourcedManifest[], errors: LoadError[], file: string, line: number): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push({ file, line, message: 'a document must be a Kubernetes object (a map with apiVersion and kind)' });
    return;
  }
  const obj = value as any;
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    // List kinds (v1/List, ServiceList, ...): each item is an object of its own
    obj.items.forEach((item: unknown, i: number) => pushObject(item, `${origin}#items[${i}]`, out, errors, file, line));
    return;
  }
  out.push({ manifest: obj, origin });
}

/** What reading and parsing one file gave. */
export interface FileOutcome {
  /** `dev:ino` of the file read; undefined when it could not be opened. */
  readonly id?: string;
  readonly error?: LoadError;
  readonly parsed?: ParsedFile;
  /** Whether the text was blank (for the warning about a file that holds nothing). */
  readonly blank?: boolean;
  /** The sha256 of the text that was parsed, from {@link loadFileHashed} only (caches). */
  readonly hash?: string;
  /** The bytes of the text that was parsed, from {@link loadFileHashed} only (a cache bounds what it reads by them). */
  readonly bytes?: number;
}

/** Reads and parses one listed file (see {@link readManifestFile} and {@link parseManifests}). */
export function loadFile(file: string, maxFileBytes?: number): FileOutcome {
  return readAndParse(file, maxFileBytes, false);
}

/**
 * {@link loadFile} with the sha256 of the very text it parsed: a cache keeps the parse under that hash, so a file
 * that changed between a first read (for its hash) and this one is never kept under the old content's hash.
 */
export function loadFileHashed(file: string, maxFileBytes?: number): FileOutcome {
  return readAndParse(file, maxFileBytes, true);
}

function readAndParse(file: string, maxFileBytes: number | undefined, hashed: boolean): FileOutcome {
  const r = readChecked(file, maxFileBytes);
  if ('error' in r) return { error: r.error };
  const parsed = parseManifests(r.text, file);
  const blank = parsed.documents === 0 && parsed.errors.length === 0 ? r.text.trim() === '' : undefined;
  return hashed ? { id: r.id, parsed, blank, hash: crypto.createHash('sha256').update(r.text).digest('hex'), bytes: r.bytes } : { id: r.id, parsed, blank };
}

/** {@link loadFileHashed} for every file, in order, shared with worker threads for large inputs (as {@link hashFiles}). */
export function loadFilesHashed(files: readonly string[], options: LoadOptions = {}): FileOutcome[] {
  const threads = threadsFor(files, options);
  if (threads > 0 && files.length > 0) {
    const r = loadInParallel(files, options.maxFileBytes, threads, loadFileHashed, {}, true);
    if (r) return r;
  }
  return files.map((f) => loadFileHashed(f, options.maxFileBytes));
}

/** The identity and content hash (sha256 of the text) of one listed file, or why it cannot be read (for caches). */
export function hashFile(file: string, maxFileBytes?: number): FileHash {
  const r = readChecked(file, maxFileBytes);
  if ('error' in r) return { error: r.error };
  return { id: r.id, hash: crypto.createHash('sha256').update(r.text).digest('hex'), bytes: r.bytes };
}

/** {@link hashFile} for every file, in order, shared with worker threads for large inputs. */
export function hashFiles(files: readonly string[], options: LoadOptions = {}): FileHash[] {
  const threads = threadsFor(files, options);
  if (threads > 0 && files.length > 0) {
    const r = hashInParallel(files, options.maxFileBytes, threads);
    if (r) return r;
  }
  return files.map((f) => hashFile(f, options.maxFileBytes));
}

/**
 * {@link statAsGit} for every file, in order ({@link STAT_FIELDS} numbers a file), shared with worker threads for
 * large inputs (as {@link hashFiles}).
 */
export function statFiles(files: readonly string[], options: LoadOptions = {}): Float64Array {
  return startStatFiles(files, options)();
}

/**
 * {@link statFiles} begun: for a large input its worker threads start now and stat while the calling thread does
 * something else (a worker thread takes some 50 ms to start); the function returned completes the stat data.
 */
export function startStatFiles(files: readonly string[], options: LoadOptions = {}): () => Float64Array {
  const threads = threadsFor(files, options);
  const bytes = files.length * STAT_FIELDS * Float64Array.BYTES_PER_ELEMENT;
  if (threads > 0 && files.length > 0) {
    const out = new Float64Array(new SharedArrayBuffer(bytes));
    const finish = startStatInParallel(files, threads, out);
    if (finish) return () => { finish(); return out; };
  }
  return () => {
    const out = new Float64Array(bytes / Float64Array.BYTES_PER_ELEMENT);
    files.forEach((f, i) => statAsGit(f, out, i * STAT_FIELDS));
    return out;
  };
}

/** Inputs with at least this many files are read by worker threads too (when there is more than one processor). */
export const PARALLEL_MIN_FILES = 1000;

/**
 * Loads every manifest under `paths`; origins are the paths as given, relative when they were relative.
 * Never throws for bad input: every problem is a {@link LoadError} with file and line. A file reached twice
 * (two links, or hard links, to one file) is read once, where it is first listed.
 */
export function loadManifests(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const listed = listFiles(paths);
  return assembleLoad(listed.files, listed.errors, loadFiles(listed.files, options));
}

/**
 * The load result from the listed files and what reading each gave (in the same order): a file whose
 * identity was read before is skipped, errors and warnings kept in file order.
 */
export function assembleLoad(listedFiles: readonly string[], listErrors: readonly LoadError[], outcomes: readonly FileOutcome[]): LoadResult {
  const errors = [...listErrors];
  const listed = { files: listedFiles };
  const objects: SourcedManifest[] = [];
  const warnings: LoadError[] = [];
  const files: string[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < listed.files.length; i++) {
    const file = listed.files[i];
    const r = outcomes[i];
    if (r.id !== undefined) {
      if (ids.has(r.id)) continue;
      ids.add(r.id);
    }
    files.push(file);
    if (r.error) {
      errors.push(r.error);
      continue;
    }
    const parsed = r.parsed!;
    // one push per object: spreading a large file's objects into push() overflows the call stack
    for (const o of parsed.objects) objects.push(o);
    for (const e of parsed.errors) errors.push(e);
    if (parsed.documents === 0 && parsed.errors.length === 0) {
      warnings.push({ file, line: 0, message: r.blank ? 'the file is empty, so it holds no Kubernetes object' : 'holds no Kubernetes object (only comments and document markers)' });
    }
  }
  return { objects, errors, files, warnings };
}

/** {@link loadFile} for every file, in order: on this thread, or shared with worker threads for large inputs. */
function loadFiles(files: readonly string[], options: LoadOptions): FileOutcome[] {
  const threads = threadsFor(files, options);
  if (threads > 0 && files.length > 0) {
    const r = loadInParallel(files, options.maxFileBytes, threads);
    if (r) return r;
  }
  return files.map((f) => loadFile(f, options.maxFileBytes));
}

/** Worker threads for reading `files`: as asked, else some for large inputs (see {@link PARALLEL_MIN_FILES}). */
function threadsFor(files: readonly string[], options: LoadOptions): number {
  return options.workerThreads ?? (files.length >= PARALLEL_MIN_FILES ? defaultWorkerThreads() : 0);
}

function defaultWorkerThreads(): number {
  const cpus = typeof (os as any).availableParallelism === 'function' ? (os as any).availableParallelism() : os.cpus().length;
  return Math.max(0, Math.min(3, cpus - 1));
}

/**
 * Every YAML/JSON file under `paths`, as {@link listManifestFiles} lists them, but without a `stat` per regular
 * file (its directory entry says what it is): the file's identity is read when it is opened, and
 * {@link loadManifests} skips a file it has read already. Folders and links are still looked at, so link loops end.
 */
export function listFiles(paths: readonly string[]): { files: string[]; errors: LoadError[] } {
  const files: string[] = [];
  const errors: LoadError[] = [];
  const seen = new Set<string>();
  const stack: Array<{ p: string; explicit: boolean; known?: 'file' }> = [...paths].reverse().map((p) => ({ p, explicit: true }));
  while (stack.length > 0) {
    const { p, explicit, known } = stack.pop()!;
    if (known === 'file') {
      files.push(p);
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e: any) {
      errors.push({ file: p, line: 0, message: statError(p, e) });
      continue;
    }
    const id = `${st.dev}:${st.ino}`;
    if (st.isDirectory()) {
      const base = path.basename(p);
      if (!explicit && (base.startsWith('.') || base === 'node_modules')) continue;
      if (seen.has(id)) continue; // a link back to a directory already read
      seen.add(id);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(p, { withFileTypes: true });
      } catch (e: any) {
        errors.push({ file: p, line: 0, message: `cannot list the folder (${e?.code ?? firstLine(e)})` });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // below an input path, p is what path.join made (normalized), so a name joins by a separator as path.join would
      const sep = p.endsWith(path.sep) ? '' : path.sep;
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i];
        const child = explicit ? path.join(p, e.name) : p + sep + e.name;
        // a regular file that is no manifest is never opened; a link or an unknown type is looked at as before
        if (e.isFile()) {
          if (YAML_FILE.test(child)) stack.push({ p: child, explicit: false, known: 'file' });
        } else if (e.isDirectory() || e.isSymbolicLink() || YAML_FILE.test(child) || !(e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice())) {
          stack.push({ p: child, explicit: false });
        }
        // else: a pipe, socket or device not named as a manifest, which is never read
      }
    } else if (explicit || YAML_FILE.test(p)) {
      files.push(p);
    }
  }
  return { files, errors };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}
