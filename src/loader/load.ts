/**
 * Reads Kubernetes YAML from files and folders: multi-document files, `List` kinds, any layout. Every object
 * keeps `file:line` as its origin. Malformed YAML is reported with file and line, never thrown.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { SourcedManifest } from '../model/manifest';

/** A file or document that could not be read. */
export interface LoadError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface LoadResult {
  readonly objects: SourcedManifest[];
  readonly errors: LoadError[];
  /** Files read, in the order read. */
  readonly files: string[];
}

const YAML_FILE = /\.(ya?ml|json)$/i;

/** Every YAML/JSON file under the given paths, sorted so results are stable; dot-folders and node_modules skipped. */
export function listManifestFiles(paths: readonly string[]): { files: string[]; errors: LoadError[] } {
  const files: string[] = [];
  const errors: LoadError[] = [];
  const walk = (p: string, explicit: boolean) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e: any) {
      errors.push({ file: p, line: 0, message: e.code === 'ENOENT' ? 'no such file or directory' : String(e.message ?? e) });
      return;
    }
    if (st.isDirectory()) {
      const base = path.basename(p);
      if (!explicit && (base.startsWith('.') || base === 'node_modules')) return;
      for (const child of fs.readdirSync(p).sort()) walk(path.join(p, child), false);
    } else if (explicit || YAML_FILE.test(p)) {
      files.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return { files, errors };
}

/** Parses one file's text into sourced objects; `display` is the name used in origins. */
export function parseManifests(text: string, display: string): { objects: SourcedManifest[]; errors: LoadError[] } {
  const objects: SourcedManifest[] = [];
  const errors: LoadError[] = [];
  const lines = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
  } catch (e: any) {
    return { objects, errors: [{ file: display, line: 1, message: String(e?.message ?? e) }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = lines.linePos(err.pos[0]).line;
      errors.push({ file: display, line, message: err.message.split('\n')[0] });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e: any) {
      errors.push({ file: display, line: lines.linePos(doc.range[0]).line, message: String(e?.message ?? e) });
      continue;
    }
    if (value === null || value === undefined) continue;
    const start = firstContentLine(doc, lines);
    pushObject(value, `${display}:${start}`, objects, errors, display, start);
  }
  return { objects, errors };
}

function firstContentLine(doc: any, lines: LineCounter): number {
  const node = doc.contents;
  const offset = node && Array.isArray(node.range) ? node.range[0] : doc.range[0];
  return lines.linePos(offset).line;
}

function pushObject(value: unknown, origin: string, out: SourcedManifest[], errors: LoadError[], file: string, line: number): void {
  if (typeof value !== 'object' || Array.isArray(value)) {
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

/** Loads every manifest under `paths`; origins are the paths as given, relative when they were relative. */
export function loadManifests(paths: readonly string[]): LoadResult {
  const { files, errors } = listManifestFiles(paths);
  const objects: SourcedManifest[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e: any) {
      errors.push({ file, line: 0, message: String(e?.message ?? e) });
      continue;
    }
    const r = parseManifests(text, file);
    objects.push(...r.objects);
    errors.push(...r.errors);
  }
  return { objects, errors, files };
}
