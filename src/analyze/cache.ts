/**
 * The analyze cache (`analyze --cache DIR`), for CI runs over a large repository that changes little:
 *
 * - a **run** is keyed by everything its result depends on: the tool's own code (a hash of its files, so a
 *   rebuilt tool never reads an older tool's results), the versions of Node and of the YAML parsers, the
 *   options, the paths as given, the files listed, the content hash of each file read, and which files are
 *   the same file (links). An unchanged repository is then one key, and its report is read back whole,
 *   without parsing a file or running a rule.
 * - a **file** is keyed by the hash of its content (the tool's code hash beside it): what parsing it gave, so
 *   a run where a few files changed parses only those. Files whose objects JSON would not carry exactly (NaN,
 *   infinities, -0) are not kept, and are parsed each time.
 *
 * Every read is checked: a missing, unreadable or damaged cache is a miss, never an error, and it cannot
 * change a result: what is read back is what the same run computed. It is written with a temporary name and a
 * rename, so a crash or two runs at once leave either the old cache or the new one. It holds the files of the
 * last run and the reports of the last {@link KEPT_RUNS} runs, so it stays about the size of the repository.
 * It is input the tool trusts, like the tool itself: keep it where only your CI writes (see docs/analyze.md).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { FileOutcome, LoadError, ParsedFile, assembleLoad, hashFiles, listFiles, loadFile, parseManifests, readChecked } from '../loader/load';
import { jsonExact } from '../loader/parallel';

/** Reports kept: one per distinct input (branches of one repository, say). */
export const KEPT_RUNS = 8;
const FILES = 'files.json';
const RUNS = 'runs';
const FORMAT = 1;

let codeHash: string | undefined;

/**
 * A hash of the code that decides a result: every source file of the tool (its rules, model, loader, ...),
 * the versions of the YAML parsers, Node's version and the cache format.
 */
export function toolFingerprint(): string {
  if (codeHash) return codeHash;
  const h = crypto.createHash('sha256');
  h.update(`format ${FORMAT}\nnode ${process.version}\n`);
  for (const dep of ['js-yaml', 'yaml']) {
    try {
      h.update(`${dep} ${JSON.parse(fs.readFileSync(require.resolve(`${dep}/package.json`), 'utf8')).version}\n`);
    } catch {
      h.update(`${dep} unknown\n`);
    }
  }
  const root = path.join(__dirname, '..'); // src/ (or lib/src/ once compiled)
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|json)$/.test(e.name) && !e.name.endsWith('.d.ts')) h.update(`${path.relative(root, p)}\n`).update(fs.readFileSync(p));
    }
  };
  walk(root);
  codeHash = h.digest('hex');
  return codeHash;
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** One file's parse as kept: origins as the part after the file name, errors without it. */
interface KeptFile {
  readonly documents: number;
  readonly blank: boolean;
  readonly objects: Array<[string, unknown]>;
  readonly errors: Array<Omit<LoadError, 'file'>>;
}

function keep(parsed: ParsedFile, file: string, blank: boolean): KeptFile | undefined {
  if (!parsed.objects.every((o) => jsonExact(o.manifest) && o.origin.startsWith(`${file}:`))) return undefined;
  return {
    documents: parsed.documents,
    blank,
    objects: parsed.objects.map((o) => [o.origin.slice(file.length), o.manifest]),
    errors: parsed.errors.map(({ file: _f, ...rest }) => rest),
  };
}

function restore(k: KeptFile, file: string, copy: boolean): ParsedFile {
  return {
    documents: k.documents,
    objects: k.objects.map(([suffix, manifest]) => ({ manifest: (copy ? JSON.parse(JSON.stringify(manifest)) : manifest) as any, origin: `${file}${suffix}` })),
    errors: k.errors.map((e) => ({ file, ...e })),
  };
}

/** Reads a file of the cache; undefined when it is missing or damaged. */
function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes a file of the cache whole (temporary name, then rename); a failure leaves the cache as it was. */
function writeWhole(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}

/** What a cached load gives: the load result, and the key of the run (for its report). */
export interface CachedLoad {
  /** The load result; undefined when the report is known. */
  readonly load?: ReturnType<typeof assembleLoad>;
  /** The key to keep this run's report under; undefined when a file changed while it was read. */
  readonly runKey?: string;
  /** The report of this very run, when the cache has it. */
  readonly report?: unknown;
}

/**
 * Lists and reads the input, then answers from the cache where it can: the whole report when the run is
 * known, else each file's parse when its content is. `options` is everything else the report depends on.
 */
export function loadCached(cacheDir: string, roots: readonly string[], options: unknown, maxFileBytes: number | undefined, workerThreads?: number): CachedLoad {
  const tool = toolFingerprint();
  const listed = listFiles(roots);
  // first only the hashes (on worker threads too, for large inputs): an unchanged input needs nothing else
  const hashed = hashFiles(listed.files, { maxFileBytes, workerThreads });
  const hashes = hashed.map((r) => r.hash ?? null);
  // which listed files are a file read before (links): stable across checkouts, unlike the inodes themselves
  const ids = new Map<string, number>();
  const sameAs = hashed.map((r, i) => {
    if (r.id === undefined) return -1;
    const first = ids.get(r.id);
    if (first === undefined) ids.set(r.id, i);
    return first ?? -1;
  });
  const runKey = sha256(JSON.stringify({
    tool, options, roots, files: listed.files, listErrors: listed.errors, hashes, sameAs,
    readErrors: hashed.map((r) => r.error ?? null),
  }));
  const reportFile = path.join(cacheDir, RUNS, `${runKey}.v8`);
  let report: unknown;
  try {
    const stored = v8.deserialize(fs.readFileSync(reportFile)) as { key: string; report: unknown };
    if (stored && stored.key === runKey) report = stored.report;
  } catch {
    // no report for this run
  }

  if (report !== undefined) return { runKey, report };

  // the files: from the cache where their content is known, else parsed (and kept for the next run)
  const kept = readJson(path.join(cacheDir, FILES));
  const known: Record<string, KeptFile> = kept && kept.tool === tool && kept.format === FORMAT && kept.files && typeof kept.files === 'object' ? kept.files : {};
  const next: Record<string, KeptFile> = {};
  const used = new Set<string>();
  let changed = false;
  const outcomes: FileOutcome[] = hashed.map((h, i) => {
    if (h.error) return { error: h.error };
    const file = listed.files[i];
    const hash = h.hash!;
    const hit = Object.prototype.hasOwnProperty.call(known, hash) ? known[hash] : undefined;
    if (hit && isKept(hit)) {
      next[hash] = hit;
      const parsed = restore(hit, file, used.has(hash)); // a second file of the same content gets its own objects
      used.add(hash);
      return { id: h.id, parsed, blank: hit.blank || undefined };
    }
    // read again: a file that changed since it was hashed is read as it is now, and its new content is kept
    const r = readChecked(file, maxFileBytes);
    if ('error' in r) return { error: r.error };
    if (sha256(r.text) !== hash) {
      changed = true; // the key says what was hashed: this run's report is not kept under it
      return loadFile(file, maxFileBytes);
    }
    const parsed = parseManifests(r.text, file);
    const blank = parsed.documents === 0 && parsed.errors.length === 0 && r.text.trim() === '';
    const k = keep(parsed, file, blank);
    if (k) next[hash] = k;
    return { id: r.id, parsed, blank: blank || undefined };
  });
  writeWhole(path.join(cacheDir, FILES), JSON.stringify({ format: FORMAT, tool, files: next }));
  return { load: assembleLoad(listed.files, listed.errors, outcomes), runKey: changed ? undefined : runKey };
}

/** Whether a kept entry has the shape {@link keep} writes (a damaged cache reads as a miss). */
function isKept(k: any): k is KeptFile {
  return k !== null && typeof k === 'object' && typeof k.documents === 'number' && typeof k.blank === 'boolean'
    && Array.isArray(k.objects) && k.objects.every((o: any) => Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' && o[1] !== null && typeof o[1] === 'object')
    && Array.isArray(k.errors) && k.errors.every((e: any) => e !== null && typeof e === 'object' && typeof e.line === 'number' && typeof e.message === 'string');
}

/** Keeps the report of a run, and only the latest {@link KEPT_RUNS}. */
export function storeReport(cacheDir: string, runKey: string, report: unknown): void {
  let data: Buffer;
  try {
    data = v8.serialize({ key: runKey, report });
  } catch {
    return; // a report the serializer cannot write is simply not kept
  }
  const dir = path.join(cacheDir, RUNS);
  writeWhole(path.join(dir, `${runKey}.v8`), data);
  try {
    const runs = fs.readdirSync(dir).filter((f) => f.endsWith('.v8')).map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }));
    runs.sort((a, b) => b.t - a.t || (a.f < b.f ? -1 : 1));
    for (const { f } of runs.slice(KEPT_RUNS)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // pruning is best effort
  }
}
