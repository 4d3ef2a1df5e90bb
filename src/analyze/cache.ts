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
 * Every read is checked: a missing, unreadable, damaged (each report, and the file of kept parses, carries a
 * checksum of itself), oversized (more than {@link cacheFileLimit} of the input's size) or linked cache file is a miss, never
 * an error, and it cannot change a result: what is read back is what the same run computed. It is written with a
 * temporary name and a rename, so a crash or two runs at once leave either the old cache or the new one; the
 * writer touches only names of its own making (`files-<16 hex>.ndjson`, `runs/<64 hex>.v8`, their temporary
 * names), so a folder given by mistake loses nothing. It holds the files of the last run and the reports of the
 * last {@link KEPT_RUNS} runs, so it stays about the size of the repository. A file that holds a credential
 * (`holdsSecret`: a Secret's data, basic_auth `credentials`, a password-like key, a URL password) is never kept:
 * it is parsed on every run that reads it. It is input the tool trusts, like the tool itself: keep it where only
 * your CI writes (see docs/analyze.md).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import * as v8 from 'v8';
import { STAT_FIELDS, gitContentKeys, rootIndexes } from '../loader/git-index';
import { DEFAULT_MAX_FILE_BYTES, FileOutcome, LoadError, ParsedFile, assembleLoad, hashFiles, listFiles, loadFilesHashed, startStatFiles, statFiles } from '../loader/load';
import { makeFolders } from '../loader/folders';
import { openRegular } from '../loader/open-regular';
import type { FileHash } from '../loader/parallel';
import { jsonExact } from '../loader/parallel';
import { holdsSecret } from '../rules/display';

/** Reports kept: one per distinct input (branches of one repository, say). */
export const KEPT_RUNS = 8;
/** The parses kept, per tool: `files-<tool>.ndjson`; an older version's (or one kept as `files-<tool>.json`) is removed. */
const FILES_PREFIX = 'files-';
/** The names this cache writes, and only these are ever removed or replaced: a user's own files are left alone. */
const FILES_NAME = /^files-[0-9a-f]{16}\.(?:nd)?json$/;
const RUN_NAME = /^[0-9a-f]{64}\.v8$/;
const TMP_NAME = /^(?:files-[0-9a-f]{16}\.ndjson|[0-9a-f]{64}\.v8)\.tmp\.\d+\.[0-9a-f]{8}$/;
/** A temporary file older than this is left from a run that was killed while writing it, and is removed. */
const STALE_TMP_MS = 60 * 60 * 1000;
const RUNS = 'runs';
const FORMAT = 4;

/**
 * The largest file of the cache read or written for an input of `inputBytes` (64 MiB, and 16 bytes for each byte
 * of input): a kept parse or a report takes about the input's size (less, at 250,000 files), so a larger file is
 * damage or something else put there, and is not read whole; a report that would be larger is not kept.
 */
export function cacheFileLimit(inputBytes: number): number {
  return 64 * 1024 * 1024 + 16 * inputBytes;
}

/**
 * The last line of the kept parses: `#sum <sha256 of every byte before it>`. One checksum for the file, not one a
 * line: damage anywhere costs a miss of every kept parse (that run parses what it reads, as a first run does), and
 * reading 250,000 lines costs one hash instead of 250,000 (a sha256 a line was a fifth of reading them).
 */
const SUM_LINE = /^#sum [0-9a-f]{64}\n$/;
const SUM_LINE_BYTES = '#sum \n'.length + 64;

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

/** One file's parse as kept: origins as the part after the file name, errors without it. */
interface KeptFile {
  readonly documents: number;
  readonly blank: boolean;
  readonly objects: Array<[string, unknown]>;
  readonly errors: Array<Omit<LoadError, 'file'>>;
  /**
   * The git objects (`<object id> <size>`) this content was seen to be: a file git vouched for both before and
   * after it was read, whose text had this hash. A later run that reads a file git vouches for, and finds this
   * hash, knows what it read is that object without looking at the file again.
   */
  readonly gitObjects?: string[];
}

/** Git objects kept per content: one, unless checkouts convert it differently (a filter, line ends). */
const MAX_GIT_OBJECTS = 4;

function keep(parsed: ParsedFile, file: string, blank: boolean): KeptFile | undefined {
  if (!parsed.objects.every((o) => jsonExact(o.manifest) && o.origin.startsWith(`${file}:`))) return undefined;
  // a credential is never written to the cache in the clear: a cache is kept between runs, and restored by others
  if (parsed.objects.some((o) => holdsSecret(o.manifest))) return undefined;
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

/**
 * Writes a file of the cache whole, from its parts in order (temporary name, then rename): a large file is never
 * one string in memory, and a failure (a full disk, a read-only folder, more than `maxBytes`) leaves the cache as
 * it was. The folder that holds it is made when missing, and must be a folder, not a link to one (the cache folder
 * given is followed: it is the user's to choose).
 */
function writeWhole(file: string, parts: Iterable<string | Buffer>, maxBytes: number, realFolder = false): boolean {
  const dir = path.dirname(file);
  const tmp = `${file}.tmp.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  let fd: number | undefined;
  try {
    makeFolders(dir, fs, path);
    if (realFolder && !fs.lstatSync(dir).isDirectory()) return false;
    fd = fs.openSync(tmp, 'wx', 0o644);
    let written = 0;
    for (const part of parts) {
      // writeSync may write less than it is given: loop until the part is out
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      written += bytes.length;
      if (written > maxBytes) throw new Error('larger than the cache reads back');
      for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    }
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      if (fd !== undefined) fs.closeSync(fd);
    } catch {
      // closed already
    }
    try {
      fs.unlinkSync(tmp); // (a regular file of ours: unlink, not rmSync, which loads a folder walker on first use)
    } catch {
      // nothing to clean
    }
    return false;
  }
}

/**
 * The kept parses as lines: a header (format and tool), then `<sha256> <JSON of the parse>` a file, in chunks of
 * about 64 KiB (at 250,000 files the whole would be a string of some 150 MB; chunks this small die young), then
 * the checksum line ({@link SUM_LINE}). An entry that is still the very object read from the cache (`read`) is
 * written as the text it was read from: it is what JSON.stringify gave for it, and writing it again costs most of a
 * run where few files changed.
 */
function* keptLines(tool: string, files: ReadonlyMap<string, KeptFile>, read?: KeptText): Generator<string> {
  const sum = crypto.createHash('sha256');
  const out = (text: string): string => {
    sum.update(text, 'utf8');
    return text;
  };
  yield out(`${JSON.stringify({ format: FORMAT, tool })}\n`);
  let chunk = '';
  for (const [hash, k] of files) {
    const text = read?.texts.get(hash);
    chunk += `${hash} ${text !== undefined && read!.entries.get(hash) === k ? text : JSON.stringify(k)}\n`;
    if (chunk.length >= 1 << 16) {
      yield out(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') yield out(chunk);
  yield `#sum ${sum.digest('hex')}\n`;
}

const HASH = /^[0-9a-f]{64}$/;

/** The kept parses as read: each entry parsed, and the text it was parsed from. */
interface KeptText {
  readonly entries: Map<string, unknown>;
  readonly texts: Map<string, string>;
}

/**
 * The kept parses of `tool`, read a MiB at a time: empty when the file is missing, a link, larger than `maxBytes`,
 * of another tool or format, its header is damaged or its checksum ({@link SUM_LINE}) is not that of what it holds;
 * a line of the wrong shape is left out (its file is a miss). Entries are checked where used.
 */
function readKept(file: string, tool: string, maxBytes: number): KeptText {
  const none = (): KeptText => ({ entries: new Map(), texts: new Map() });
  const known = new Map<string, unknown>();
  const texts = new Map<string, string>();
  const fd = openRegular(file, true);
  if (fd === undefined) return none();
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes || size < SUM_LINE_BYTES) return none();
    const last = Buffer.alloc(SUM_LINE_BYTES);
    if (fs.readSync(fd, last, 0, SUM_LINE_BYTES, size - SUM_LINE_BYTES) !== SUM_LINE_BYTES) return none();
    const expected = last.toString('latin1');
    if (!SUM_LINE.test(expected)) return none();
    const sum = crypto.createHash('sha256');
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(1 << 20);
    let left = size - SUM_LINE_BYTES; // the bytes before the checksum line
    let at = 0;
    let rest = '';
    let header = true;
    for (;;) {
      const n = left > 0 ? fs.readSync(fd, buf, 0, Math.min(buf.length, left), at) : 0;
      if (left > 0 && n === 0) return none(); // shorter than it said: written over while read
      left -= n;
      at += n;
      sum.update(buf.subarray(0, n));
      const lines = (rest + (n > 0 ? decoder.write(buf.subarray(0, n)) : decoder.end())).split('\n');
      rest = n > 0 ? lines.pop()! : '';
      for (const line of lines) {
        if (line === '') continue;
        if (header) {
          const h = JSON.parse(line);
          if (!h || h.format !== FORMAT || h.tool !== tool) return none();
          header = false;
          continue;
        }
        const hash = line.slice(0, 64);
        if (line.charCodeAt(64) !== 32 || !HASH.test(hash)) continue;
        const text = line.slice(65);
        try {
          known.set(hash, JSON.parse(text));
          texts.set(hash, text);
        } catch {
          // a line that is no JSON: that file is parsed again
        }
      }
      if (n === 0) break;
    }
    if (`#sum ${sum.digest('hex')}\n` !== expected) return none();
  } catch {
    return none();
  } finally {
    fs.closeSync(fd);
  }
  return { entries: known, texts };
}

/** What a cached load gives: the load result, and the key of the run (for its report). */
export interface CachedLoad {
  /** The load result; undefined when the report is known. */
  readonly load?: ReturnType<typeof assembleLoad>;
  /** The key to keep this run's report under; undefined when a file changed while it was read. */
  readonly runKey?: string;
  /** The report of this very run, when the cache has it. */
  readonly report?: unknown;
  /** The largest report to keep for this input ({@link cacheFileLimit}). */
  readonly limit?: number;
}

/** The file of the cache that holds the parses, per tool: another tool's would be all misses. */
function filesFile(cacheDir: string, tool: string): string {
  return path.join(cacheDir, `${FILES_PREFIX}${tool.slice(0, 16)}.ndjson`);
}

/**
 * Lists and reads the input, then answers from the cache where it can: the whole report when the run is
 * known, else each file's parse when its content is. `options` is everything else the report depends on.
 *
 * A file in a git work tree whose stat data is what git's index holds for it (`git-index.ts`) is not read to
 * know its content: the key holds the object id git gave that content, and its size, permission bits, owner
 * and group (what reading it could then give). After a fresh checkout that is every file, so an unchanged
 * repository costs one stat per file instead of opening, reading and hashing each (docs/scale.md). A run that
 * reads its files (to fill the cache, or because something changed) looks at their stat data again after
 * reading: a file changed while it was read is then keyed by the hash of what was read. Each kept content notes
 * the git objects files of it were vouched for as, so after a change a file git vouches for as a known object
 * is neither read nor looked at again: its parse is the kept one.
 */
export function loadCached(cacheDir: string, roots: readonly string[], options: unknown, maxFileBytes: number | undefined, workerThreads?: number): CachedLoad {
  const tool = toolFingerprint();
  const listed = listFiles(roots);
  const files = listed.files;
  const filesPath = filesFile(cacheDir, tool);
  const keptBefore = isRegularFile(filesPath);
  // where parses are kept, what git vouches for is looked at before anything is read: the worker threads that stat
  // the files start as a work tree is found, and stat while its index is read (they take about as long to start)
  let statting: (() => Float64Array) | undefined;
  const trees = rootIndexes(roots, files.length, () => { if (keptBefore) statting ??= startStatFiles(files, { workerThreads }); });
  const max = maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  /** What git vouches for now: each file's object id (or undefined: read it), and its stat data. */
  const vouch = (): Vouched => {
    // (begun, it is completed even when no index could be read: its workers are then done with)
    const begun = statting?.();
    statting = undefined;
    if (trees.length === 0) return NOTHING_VOUCHED;
    const stats = begun ?? statFiles(files, { workerThreads });
    return { oids: gitContentKeys(trees, files, stats), stats };
  };
  /**
   * What git vouches for after reading, and so for what was read. A file git vouched for before it was read
   * (`before`), whose text has the hash the cache knows for that object (`byObject`), is confirmed by the hash;
   * the other files git vouched for before (every file, without `before`) are looked at again, so that one changed
   * while it was read is not vouched for. A file read without an error, or whose error is its content's (too
   * large, not UTF-8), keeps its object id; one that could not be read for another reason is keyed by that error.
   */
  const vouchAfterRead = (read: ReadonlyArray<{ hash?: string; error?: LoadError }>, before?: Vouched,
    byObject?: ReadonlyMap<string, string>): Vouched => {
    if (trees.length === 0) return NOTHING_VOUCHED;
    const oids = new Array<string | undefined>(files.length).fill(undefined);
    const stats = before ? before.stats : new Float64Array(files.length * STAT_FIELDS);
    const again: number[] = [];
    for (let i = 0; i < files.length; i++) {
      const oid = before?.oids[i];
      const hash = read[i].hash;
      if (oid !== undefined && hash !== undefined && byObject?.get(gitObject(oid, stats, i)) === hash) oids[i] = oid;
      else if (!before || oid !== undefined) again.push(i);
    }
    if (again.length > 0) {
      const some = again.map((i) => files[i]);
      const someStats = statFiles(some, { workerThreads });
      const someOids = gitContentKeys(trees, some, someStats);
      again.forEach((i, k) => {
        oids[i] = someOids[k];
        stats.set(someStats.subarray(k * STAT_FIELDS, (k + 1) * STAT_FIELDS), i * STAT_FIELDS);
      });
    }
    oids.forEach((oid, i) => {
      const error = read[i].error;
      if (oid !== undefined && error && !(error.line > 0 || stats[i * STAT_FIELDS + 6] > max)) oids[i] = undefined;
    });
    return { oids, stats };
  };
  /** Notes on each kept content the git objects files of it were vouched for as (for {@link vouchAfterRead}). */
  const learn = (read: ReadonlyArray<{ hash?: string }>, git: Vouched): void => {
    git.oids.forEach((oid, i) => {
      const hash = read[i].hash;
      const k = oid !== undefined && hash !== undefined ? next.get(hash) : undefined;
      if (!k) return;
      const object = gitObject(oid!, git.stats, i);
      const objects = k.gitObjects ?? [];
      if (!objects.includes(object)) next.set(hash!, { ...k, gitObjects: [object, ...objects].slice(0, MAX_GIT_OBJECTS) });
    });
  };
  const runKeyOf = (read: ReadonlyArray<{ id?: string; hash?: string; error?: LoadError }>, git: Vouched): string => {
    // which listed files are a file read before (links): stable across checkouts, unlike the inodes themselves
    const firstOf = new FirstOfEach(files.length);
    const h = crypto.createHash('sha256');
    // who reads decides what a file git vouches for gives (permission bits and owners are in each file's key)
    const reader = trees.length === 0 ? null : [process.getuid?.(), process.getgid?.(), process.getgroups?.()];
    h.update(`${JSON.stringify({ tool, options, roots, listErrors: listed.errors, reader })}\n`);
    // a line per file, hashed a chunk at a time: one string of all 250,000 would be some 30 MB. A path ends at a
    // NUL, which no path listed holds (the file system refuses it), and the rest of the line holds no newline
    let chunk = '';
    for (let i = 0; i < files.length; i++) {
      const r = read[i];
      const oid = git.oids[i];
      const st = git.stats;
      const at = i * STAT_FIELDS;
      const sameAs = oid !== undefined ? firstOf.same(i, st[at + 2], st[at + 3]) : r.id !== undefined ? firstOf.sameAsId(i, r.id) : -1;
      const content = oid !== undefined ? `git ${oid} ${st[at + 6]} ${st[at + 7]} ${st[at + 4]} ${st[at + 5]}`
        : r.hash !== undefined ? r.hash : `error ${JSON.stringify(r.error ?? null)}`;
      chunk += `${files[i]}\0${content} ${sameAs}\n`;
      if (chunk.length >= 1 << 16) {
        h.update(chunk);
        chunk = '';
      }
    }
    return h.update(chunk).digest('hex');
  };
  const readReport = (runKey: string, limit: number): unknown => {
    const fd = openRegular(path.join(cacheDir, RUNS, `${runKey}.v8`), true);
    if (fd === undefined) return undefined;
    try {
      // never a file larger than the input explains read whole; then its checksum, then what it holds
      const size = fs.fstatSync(fd).size;
      if (size > limit || size < SUM_BYTES) return undefined;
      const bytes = fs.readFileSync(fd);
      const body = bytes.subarray(SUM_BYTES);
      if (!crypto.createHash('sha256').update(body).digest().equals(bytes.subarray(0, SUM_BYTES))) return undefined;
      const stored = v8.deserialize(body) as { key: string; report: unknown };
      if (stored && stored.key === runKey && isReport(stored.report, body.length)) return stored.report;
    } catch {
      // a damaged report: a miss
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  };
  const next = new Map<string, KeptFile>();
  const keepOutcome = (o: FileOutcome, file: string): void => {
    if (!o.parsed || o.hash === undefined) return;
    const k = keep(o.parsed, file, o.blank === true);
    if (k) next.set(o.hash, k);
  };

  if (!keptBefore) {
    // nothing kept by this tool (a first run, a new version): each file read once, its hash and parse together
    const outcomes = loadFilesHashed(files, { maxFileBytes, workerThreads });
    outcomes.forEach((o, i) => keepOutcome(o, files[i]));
    const git = vouchAfterRead(outcomes);
    learn(outcomes, git);
    const limit = cacheFileLimit(outcomes.reduce((n, o) => n + (o.bytes ?? 0), 0));
    writeFiles(cacheDir, filesPath, tool, next, limit);
    const runKey = runKeyOf(outcomes, git);
    const report = readReport(runKey, limit);
    if (report !== undefined) return { runKey, report };
    return { load: assembleLoad(files, listed.errors, outcomes), runKey, limit };
  }

  // first what git vouches for, then the hashes of the other files (on worker threads too, for large inputs):
  // an unchanged input needs nothing else
  const before = vouch();
  const unvouched = files.flatMap((_, i) => (before.oids[i] === undefined ? [i] : []));
  const someHashed = hashFiles(unvouched.map((i) => files[i]), { maxFileBytes, workerThreads });
  const hashed = new Array<FileHash>(files.length);
  unvouched.forEach((i, k) => { hashed[i] = someHashed[k]; });
  const runKey = runKeyOf(fillVouched(hashed), before);
  // what the input weighs: the size git vouches for, else the bytes hashed
  let inputBytes = 0;
  for (let i = 0; i < files.length; i++) inputBytes += before.oids[i] !== undefined ? before.stats[i * STAT_FIELDS + 6] : hashed[i].bytes ?? 0;
  const limit = cacheFileLimit(inputBytes);
  const report = readReport(runKey, limit);
  if (report !== undefined) return { runKey, report };

  // something changed. A file git vouches for whose object a kept content was seen to be has that content's
  // hash without being read; the other files git vouches for are hashed too, for the parses kept by content
  const kept = readKept(filesPath, tool, limit);
  const known = kept.entries;
  const byObject = new Map<string, string>();
  for (const [hash, k] of known) {
    if (isKept(k)) for (const object of k.gitObjects ?? []) byObject.set(object, hash);
  }
  const toHash: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const oid = before.oids[i];
    if (oid === undefined) continue;
    const hash = byObject.get(gitObject(oid, before.stats, i));
    if (hash !== undefined) hashed[i] = { id: statId(before.stats, i), hash };
    else toHash.push(i);
  }
  const rest = hashFiles(toHash.map((i) => files[i]), { maxFileBytes, workerThreads });
  toHash.forEach((i, k) => { hashed[i] = rest[k]; });

  // the files: from the cache where their content is known, else parsed (and kept for the next run)
  const used = new Set<string>();
  const outcomes: Array<FileOutcome | undefined> = hashed.map((h, i) => {
    if (h.error) return { error: h.error };
    const hash = h.hash!;
    const hit = known.get(hash);
    if (!isKept(hit)) return undefined;
    next.set(hash, hit);
    const parsed = restore(hit, files[i], used.has(hash)); // a second file of the same content gets its own objects
    used.add(hash);
    return { id: h.id, parsed, blank: hit.blank || undefined };
  });
  // the others are read again, in parallel where they are many: a file read as it is now, and kept under the
  // hash of what was parsed; one that changed since it was hashed means the key does not say what was read
  const missed = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
  let changed = false;
  const again = loadFilesHashed(missed.map((i) => files[i]), { maxFileBytes, workerThreads });
  missed.forEach((i, k) => {
    const o = again[k];
    if (o.hash !== hashed[i].hash) changed = true; // this run's report is not kept under the key
    else keepOutcome(o, files[i]);
    outcomes[i] = o;
  });
  const git = vouchAfterRead(hashed, before, byObject);
  learn(hashed, git);
  writeFiles(cacheDir, filesPath, tool, next, limit, kept);
  return { load: assembleLoad(files, listed.errors, outcomes as FileOutcome[]), runKey: changed ? undefined : runKeyOf(hashed, git), limit };
}

/** What git vouches for: each listed file's object id (or undefined: read it), and the stat data of all. */
interface Vouched {
  readonly oids: ReadonlyArray<string | undefined>;
  readonly stats: Float64Array;
}

const NOTHING_VOUCHED: Vouched = { oids: [], stats: new Float64Array(0) };

/** The git object a kept content is noted as (`<object id> <size>`): file `i` of `stats` holding object `oid`. */
function gitObject(oid: string, stats: Float64Array, i: number): string {
  return `${oid} ${stats[i * STAT_FIELDS + 6]}`;
}

/** File `i`'s identity (`dev:ino`) from its stat data, as the loader gives it from an open file. */
function statId(stats: Float64Array, i: number): string {
  return `${stats[i * STAT_FIELDS + 2]}:${stats[i * STAT_FIELDS + 3]}`;
}

/**
 * The first of the files listed with each identity (device and inode), for the run key's "same file as": keyed by
 * the inode number, with the device compared, so that 250,000 files cost no `dev:ino` string each (a string per
 * file, and a map of them, was a third of the key's time). Identities the loader gives as text are read back into
 * the same two numbers (`dev:ino`, from the same stat numbers), so a file git vouches for and a link to it that
 * was read are one file.
 */
class FirstOfEach {
  private readonly byInode = new Map<number, number>();
  private readonly devices: Float64Array;
  /** The same inode number on another device than the first file that had it: rare, keyed by both. */
  private others?: Map<string, number>;

  constructor(files: number) {
    this.devices = new Float64Array(files);
  }

  /** The first file before `i` with this identity, or -1 when `i` is the first. */
  same(i: number, dev: number, ino: number): number {
    const first = this.byInode.get(ino);
    if (first === undefined) {
      this.byInode.set(ino, i);
      this.devices[i] = dev;
      return -1;
    }
    if (this.devices[first] === dev) return first;
    this.others ??= new Map();
    const id = `${dev}:${ino}`;
    const other = this.others.get(id);
    if (other !== undefined) return other;
    this.others.set(id, i);
    return -1;
  }

  /** {@link same} for an identity the loader gave as `dev:ino`. */
  sameAsId(i: number, id: string): number {
    const colon = id.indexOf(':');
    return this.same(i, Number(id.slice(0, colon)), Number(id.slice(colon + 1)));
  }
}

/** The hashes with a placeholder where git vouched (runKeyOf reads the object id there, not the hash). */
function fillVouched(hashed: Array<FileHash | undefined>): FileHash[] {
  for (let i = 0; i < hashed.length; i++) if (hashed[i] === undefined) hashed[i] = {};
  return hashed as FileHash[];
}

/** Whether a regular file is at `file` (not a link, a pipe or a folder). */
function isRegularFile(file: string): boolean {
  try {
    return fs.lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Writes the parses kept for the next run (`read`: as {@link keptLines} takes it), and removes those of other tools
 * (older versions) and temporary files left by a run killed while writing: only names this cache makes, and only
 * regular files.
 */
function writeFiles(cacheDir: string, filesPath: string, tool: string, files: ReadonlyMap<string, KeptFile>, limit: number, read?: KeptText): void {
  if (!writeWhole(filesPath, keptLines(tool, files, read), limit)) return;
  prune(cacheDir, (f) => path.join(cacheDir, f) !== filesPath && FILES_NAME.test(f));
}

/** Removes the regular files of `dir` that `remove` names, and the stale temporary files of this cache. */
function prune(dir: string, remove: (name: string) => boolean, keep?: ReadonlySet<string>): void {
  try {
    const now = Date.now();
    for (const f of fs.readdirSync(dir)) {
      if (keep?.has(f)) continue;
      const own = remove(f);
      if (!own && !TMP_NAME.test(f)) continue;
      const p = path.join(dir, f);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st || !st.isFile() || (!own && now - st.mtimeMs < STALE_TMP_MS)) continue;
      try {
        fs.unlinkSync(p);
      } catch {
        // gone already (another run pruned it)
      }
    }
  } catch {
    // pruning is best effort
  }
}

/** The bytes of a report file's checksum (sha256 of what follows it, the serialized report). */
const SUM_BYTES = 32;

/**
 * Whether a report read back has the shape {@link analyzePaths} gives (a damaged or foreign one is a miss, not a
 * crash in a renderer): lists where it has lists, and no list longer than the bytes it came from (a sparse array
 * of 2^32 slots would take a walk of that length).
 */
function isReport(r: any, bytes: number): boolean {
  const list = (a: any, each: (x: any) => boolean) => Array.isArray(a) && a.length <= bytes && a.every(each);
  const str = (x: any) => typeof x === 'string';
  const loadError = (e: any) => e !== null && typeof e === 'object' && str(e.file) && typeof e.line === 'number' && str(e.message);
  return r !== null && typeof r === 'object'
    && list(r.findings, (f) => f !== null && typeof f === 'object' && str(f.code) && str(f.severity) && str(f.origin) && str(f.message) && str(f.field) && str(f.value))
    && list(r.loadErrors, loadError) && (r.loadWarnings === undefined || list(r.loadWarnings, loadError)) && list(r.files, str)
    && (r.internalError === undefined || str(r.internalError))
    && r.summary !== null && typeof r.summary === 'object' && ['errors', 'warnings', 'objects', 'files', 'loadErrors'].every((k) => typeof r.summary[k] === 'number');
}

/** Whether a kept entry has the shape {@link keep} writes (a damaged cache reads as a miss). */
function isKept(k: any): k is KeptFile {
  return k !== null && typeof k === 'object' && typeof k.documents === 'number' && typeof k.blank === 'boolean'
    && Array.isArray(k.objects) && k.objects.every((o: any) => Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' && o[1] !== null && typeof o[1] === 'object')
    && Array.isArray(k.errors) && k.errors.every((e: any) => e !== null && typeof e === 'object' && typeof e.line === 'number' && typeof e.message === 'string')
    && (k.gitObjects === undefined || (Array.isArray(k.gitObjects) && k.gitObjects.every((g: any) => typeof g === 'string')));
}

/**
 * Keeps the report of a run (its checksum, then the report), and only the latest {@link KEPT_RUNS}; a report larger
 * than `limit` ({@link CachedLoad.limit}) is not kept, as it would not be read back. `runs` must be a folder of the
 * cache, not a link out of it.
 */
export function storeReport(cacheDir: string, runKey: string, report: unknown, limit = cacheFileLimit(0)): void {
  if (!HASH.test(runKey)) return;
  let data: Buffer;
  try {
    data = v8.serialize({ key: runKey, report });
  } catch {
    return; // a report the serializer cannot write is simply not kept
  }
  const dir = path.join(cacheDir, RUNS);
  if (!writeWhole(path.join(dir, `${runKey}.v8`), [crypto.createHash('sha256').update(data).digest(), data], limit, true)) return;
  try {
    const runs = fs.readdirSync(dir).filter((f) => RUN_NAME.test(f)).flatMap((f) => {
      const st = fs.lstatSync(path.join(dir, f), { throwIfNoEntry: false });
      return st?.isFile() ? [{ f, t: st.mtimeMs }] : [];
    });
    runs.sort((a, b) => b.t - a.t || (a.f < b.f ? -1 : 1));
    const kept = new Set(runs.slice(0, KEPT_RUNS).map((r) => r.f));
    prune(dir, (f) => RUN_NAME.test(f) && !kept.has(f), kept);
  } catch {
    // pruning is best effort
  }
}
