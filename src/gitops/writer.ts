/**
 * Brings an output folder to exactly a set of files, touching only files it owns (docs/limits.md):
 *
 * - **Ownership.** The folder holds a record of the files the writer wrote ({@link RECORD_FILE}: one path
 *   per line, sorted). Only those are ever replaced or removed. A file it did not write is never touched:
 *   if it sits where the writer must write and its content differs, the write is refused; if its content
 *   is already what would be written, the writer adopts it (so a tree from a version without the record,
 *   or from `cdk8s synth`, is taken over without a change).
 * - **Symbolic links.** Nothing below the output folder is followed: a link where a file or a folder must
 *   go is refused. The output folder itself may be a link (into a GitOps checkout, say).
 * - **Failure.** Every file is first written under a temporary name (`.cdk8s-istio-ambient.tmp.*`) beside
 *   its place; only when all are written and every check has passed is the tree changed, by renames. A
 *   failure before that leaves the tree as it was; a crash during the renames leaves each file whole, old or
 *   new, and the record lists both, so the next run completes the tree and removes the leftovers.
 * - **Paths.** Every path is checked before anything is written: names of at most 255 bytes, full paths of
 *   at most 4,095, no names that differ only in case (one file on macOS and Windows), none that Windows
 *   reserves.
 *
 * A file whose content is unchanged is not rewritten (its mtime stays). At thousands of namespaces the
 * writes (tens of thousands of files) run on a worker thread while the main thread is still turning
 * objects into YAML; `synth()` stays synchronous by waiting on shared memory, and notices within seconds
 * when the worker has died.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { makeFolders } from '../loader/folders';

/** {@link makeFolders} by a plain name, as folderSync calls it on either thread (the writer thread is given its source). */
const makeFoldersHere = makeFolders;

/** The record of the files the writer owns, at the top of the output folder. */
export const RECORD_FILE = '.owned-by-cdk8s-istio-ambient';
/** Temporary files start so; any such file in the tree is the writer's (a leftover of a crash, removed by the next run). */
export const TEMP_PREFIX = '.cdk8s-istio-ambient.tmp.';

/** What one write did, in files. */
export interface WriteCounts {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/** The file operations the writer uses: `fs` itself, or a stand-in that fails on purpose (tests). */
export type WriterFs = Pick<typeof fs, 'readdirSync' | 'readFileSync' | 'writeFileSync' | 'renameSync' | 'rmSync' | 'rmdirSync'
  | 'mkdirSync' | 'lstatSync' | 'realpathSync'>;

interface FolderSync {
  put(rel: string, content: string): void;
  finish(): WriteCounts;
  /** Removes what this run staged (temporary files, folders it created); the tree is left as it was. */
  abort(): void;
  /**
   * Checks up to `budget` more of the paths whose checks wait (the record's, then those put so far), as the writer
   * thread does while it has nothing else to do; true while some are left. finish() checks the rest.
   */
  checkSome(budget: number): boolean;
  /** Whether the tree itself has started to change (renames, removals). */
  committing(): boolean;
}

const NAMES = { record: RECORD_FILE, temp: TEMP_PREFIX };

/** Names added to a {@link caseFolding} index, asked for those that fold alike with a name. */
export interface FoldedNames {
  add(p: string): void;
  /** The names added that fold as `p` does, in the order they were added (`p` itself among them if added). */
  alike(p: string): readonly string[];
}

/**
 * Names as macOS and Windows compare them (NFC, then lower case), without a folded copy of each: `hash` gives
 * equal numbers for names that fold alike, from a seed random per call unless given (so that hostile names
 * cannot be made to share one), `same` says whether two names fold alike, and `index` holds names bucketed by
 * that hash. Self-contained (the worker runs it from its source text).
 */
export function caseFolding(seed: number = (Math.random() * 0x100000000) | 0): { hash(p: string): number; same(a: string, b: string): boolean; index(): FoldedNames } {
  const ASCII = /^[\x20-\x7e]*$/;
  const fold = (p: string): string => (ASCII.test(p) ? p : p.normalize('NFC')).toLowerCase();
  const hash = (p: string): number => {
    const f = ASCII.test(p) ? p : fold(p);
    let h = seed;
    for (let i = 0; i < f.length; i++) {
      let c = f.charCodeAt(i);
      if (f === p && c >= 65 && c <= 90) c += 32; // ASCII: lower case as toLowerCase gives it
      h = Math.imul(h ^ c, 0x01000193); // FNV-1a
    }
    return h;
  };
  const same = (a: string, b: string): boolean => {
    if (a.length !== b.length || !ASCII.test(a) || !ASCII.test(b)) return fold(a) === fold(b);
    for (let i = 0; i < a.length; i++) {
      let x = a.charCodeAt(i);
      let y = b.charCodeAt(i);
      if (x >= 65 && x <= 90) x += 32;
      if (y >= 65 && y <= 90) y += 32;
      if (x !== y) return false;
    }
    return true;
  };
  const none: readonly string[] = [];
  const index = (): FoldedNames => {
    // hash -> its names: most buckets hold one name, kept without an array
    const buckets = new Map<number, string | string[]>();
    return {
      add(p: string): void {
        const h = hash(p);
        const had = buckets.get(h);
        if (had === undefined) buckets.set(h, p); else if (typeof had === 'string') buckets.set(h, [had, p]); else had.push(p);
      },
      alike(p: string): readonly string[] {
        const had = buckets.get(hash(p));
        if (had === undefined) return none;
        return (typeof had === 'string' ? [had] : had).filter((q) => same(q, p));
      },
    };
  };
  return { hash, same, index };
}

/**
 * Why a set of paths (relative, `/`-separated) cannot be written under `root` on every common file
 * system, or undefined when they can. Self-contained but for {@link pathChecker} and {@link caseFolding} (the worker
 * runs all three from their source text). `seed` is the case check's (see caseFolding; random when not given); the answer never depends
 * on it (tests fix it).
 */
export function checkPaths(rels: Iterable<string>, root: string, pathm: typeof path, seed?: number): string | undefined {
  const check = pathChecker(root, pathm, seed);
  for (const rel of rels) {
    const problem = check(rel);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * {@link checkPaths} a path at a time: each call checks one more path against those before it, and says why it
 * cannot be written (or undefined). Fed the same paths in the same order, the first problem is the one checkPaths
 * gives. Self-contained but for {@link caseFolding} (the worker runs it from its source text).
 */
export function pathChecker(root: string, pathm: typeof path, seed?: number): (rel: string) => string | undefined {
  const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
  const FORBIDDEN = /[<>:"|?*\\\u0000-\u001f]/;
  const rootBytes = Buffer.byteLength(pathm.resolve(root), 'utf8');
  const seenDirs = new Set<string>();
  const segment = (rel: string, s: string): string | undefined => {
    const ok = s !== '' && s !== '.' && s !== '..' && !s.startsWith('.') && !FORBIDDEN.test(s) && !s.endsWith('.') && !s.endsWith(' ');
    const dot = s.indexOf('.');
    const reserved = RESERVED.test(dot < 0 ? s : s.slice(0, dot));
    const bytes = s.length > 63 ? Buffer.byteLength(s, 'utf8') : 0; // 63 characters are at most 252 bytes
    if (ok && !reserved && bytes <= 255) return undefined;
    const q = JSON.stringify(rel.length > 120 ? `${rel.slice(0, 117)}...` : rel);
    if (s === '' || s === '.' || s === '..') return `${q} has an empty, "." or ".." part`;
    if (s.startsWith('.')) return `${q}: ${JSON.stringify(s)} starts with "." (such names are the writer's own, or hidden)`;
    if (FORBIDDEN.test(s)) return `${q}: ${JSON.stringify(s)} holds a character Windows forbids in file names (<>:"|?*\\ or a control character)`;
    if (s.endsWith('.') || s.endsWith(' ')) return `${q}: ${JSON.stringify(s)} ends with "." or a space, which Windows drops`;
    if (reserved) return `${q}: ${JSON.stringify(s)} is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9)`;
    return `${q}: the name ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s)} is ${bytes} bytes, more than the 255 file systems allow`;
  };
  // two paths (or folders on their way) that differ only in case are one on macOS and Windows: indexed by the
  // hash of the folded name, so that no folded copy of every path is made (250,000 at 10,000 namespaces); only
  // the first name of each fold is added, so `alike` gives at most one
  const seen = caseFolding(seed).index();
  const clash = (p: string): string | undefined => {
    const other = seen.alike(p)[0];
    if (other === undefined) seen.add(p);
    return other === p ? undefined : other;
  };
  return (rel: string): string | undefined => {
    const q = (): string => JSON.stringify(rel);
    if (rel === '' || rel.startsWith('/') || pathm.isAbsolute(rel)) return `${q()} is not a relative path`;
    let from = 0;
    for (;;) {
      const slash = rel.indexOf('/', from);
      const last = slash < 0;
      const prefix = last ? rel : rel.slice(0, slash);
      if (last || !seenDirs.has(prefix)) {
        const problem = segment(rel, rel.slice(from, last ? rel.length : slash));
        if (problem !== undefined) return problem;
        const other = clash(prefix);
        if (other !== undefined) return `${q()} and ${JSON.stringify(other)} differ only in case: on macOS and Windows they are the same ${last ? 'file' : 'folder'}`;
        if (!last) seenDirs.add(prefix);
      }
      if (last) break;
      from = slash + 1;
    }
    const full = rootBytes + 1 + Buffer.byteLength(rel, 'utf8');
    if (full > 4095) return `${q()}: the full path is ${full} bytes, more than the 4,095 Linux allows`;
    return undefined;
  };
}

/**
 * The folder sync itself. Self-contained (it uses only its arguments, {@link checkPaths}, {@link pathChecker} and
 * {@link caseFolding}), because the worker runs it from its source text: keep it free of imports and of syntax
 * TypeScript would compile into helpers. `caseSeed` fixes the case check's hash (tests).
 */
function folderSync(fsm: WriterFs, pathm: typeof path, outdirGiven: string, names: typeof NAMES, tick: () => void = () => undefined,
  caseSeed?: number): FolderSync {
  const fail = (message: string): never => {
    throw new Error(message);
  };
  const join = (rel: string): string => (rel === '' ? outdir : pathm.join(outdir, ...rel.split('/')));
  const parentOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
  const shown = (rel: string): string => pathm.join(outdirGiven, ...rel.split('/'));

  // the output folder itself may be a link (followed once, deliberately); nothing inside it is followed
  let outdir = outdirGiven;
  let rootExists = false;
  try {
    const st = fsm.lstatSync(outdirGiven);
    if (st.isSymbolicLink()) outdir = fsm.realpathSync(outdirGiven);
    const real = st.isSymbolicLink() ? fsm.lstatSync(outdir) : st;
    if (!real.isDirectory()) fail(`${outdirGiven} is not a folder`);
    rootExists = true;
  } catch (e: any) {
    if (!e || e.code !== 'ENOENT') throw e;
  }

  // what is there: regular files, folders, links and anything else, by relative path; never following a link
  const files = new Set<string>();
  const dirs = new Set<string>();
  const links = new Set<string>();
  const others = new Set<string>();
  const leftovers: string[] = [];
  const leftoverDirs: string[] = [];
  const list = (rel: string): void => {
    const entries = fsm.readdirSync(join(rel), { withFileTypes: true });
    tick();
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.name.startsWith(names.temp)) {
        if (e.isFile()) leftovers.push(child);
        else if (e.isDirectory()) leftoverDirs.push(child); // a new folder a crashed run was filling
      } else if (e.isSymbolicLink()) links.add(child);
      else if (e.isDirectory()) {
        if (e.name.startsWith('.')) continue; // never descend into .git or editor folders
        dirs.add(child);
        list(child);
      } else if (e.isFile()) files.add(child);
      else others.add(child);
    }
  };
  if (rootExists) list('');
  // what is there, by name folded as macOS and Windows compare names (without a folded copy of each)
  const folded = caseFolding(caseSeed).index();
  for (const set of [files, dirs, links, others]) for (const p of set) folded.add(p);

  // the record of what this writer owns
  const owned = new Set<string>();
  let recordText: string | undefined;
  if (links.has(names.record) || others.has(names.record)) {
    fail(`${shown(names.record)} is not a regular file; the writer never follows links in its output tree: remove it (or restore it from Git)`);
  }
  let recordToCheck: string[] = [];
  if (files.has(names.record)) {
    recordText = fsm.readFileSync(join(names.record), 'utf8') as string;
    recordToCheck = recordText.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of recordToCheck) owned.add(entry);
  }

  // path checks that wait for a moment the writer thread has nothing else to do (checkSome), and are completed
  // before the tree changes: the record's entries, whole (a hand-edited record must not lead the writer out of its
  // tree; until they are checked, what the record says is only relied on for what finish() undoes on failure), then
  // the paths put, together (two that differ only in case). At 250,000 files each is half a second of work.
  // undefined once the record is checked (or there is none)
  let recordCheck: ((rel: string) => string | undefined) | undefined = recordToCheck.length > 0 ? pathChecker(outdir, pathm) : undefined;
  let recordAt = 0;
  let recordProblem: string | undefined;
  const producedCheck = pathChecker(outdir, pathm);
  const producedOrder: string[] = [];
  let producedAt = 0;
  let producedProblem: string | undefined;
  const checkSome = (budget: number): boolean => {
    for (; budget > 0 && recordCheck; budget--) {
      recordProblem = recordCheck(recordToCheck[recordAt++]);
      if (recordProblem !== undefined || recordAt === recordToCheck.length) {
        recordCheck = undefined; // its index of every path goes with it
        recordToCheck = [];
      }
    }
    for (; budget > 0 && producedProblem === undefined && producedAt < producedOrder.length; budget--) {
      producedProblem = producedCheck(producedOrder[producedAt++]);
    }
    return recordCheck !== undefined || (producedProblem === undefined && producedAt < producedOrder.length);
  };
  /** Fails when the record is damaged, its entries all checked first. */
  const failOnRecord = (): void => {
    while (recordCheck) checkSome(1 << 16);
    if (recordProblem !== undefined) {
      fail(`${shown(names.record)} is damaged: ${recordProblem}; restore it from Git, or delete it (the writer then removes nothing it has not written again)`);
    }
  };

  // rel -> its temporary name; undefined when unchanged; IN_STAGED_FOLDER when it is in a new folder staged whole
  const produced = new Map<string, string | undefined>();
  const IN_STAGED_FOLDER = '';
  const checkedDirs = new Set<string>();
  const createdDirs: string[] = [];
  const temps = new Set<string>();
  // a folder that does not exist yet is written whole under a temporary name and renamed into place at the end:
  // one rename for the folder instead of one per file (a first synth, a new namespace)
  const stagedFolders = new Map<string, string>(); // the new folder (rel) -> its temporary name (rel)
  const stagedInner = new Set<string>(); // folders made inside the staged ones (temporary rel)
  let stagedFiles = 0;
  let tempCount = 0;
  let changing = false;
  let written = 0;
  let unchanged = 0;

  const leftoverSet = new Set([...leftovers, ...leftoverDirs]);
  const tempName = (dirRel: string): string => `${dirRel === '' ? '' : `${dirRel}/`}${names.temp}${process.pid}.${tempCount++}`;
  const writeTemp = (dirRel: string, content: string): string => {
    for (;;) {
      const rel = tempName(dirRel);
      if (leftoverSet.has(rel)) continue; // a crashed run's, removed at the end of this one
      try {
        // "wx": never through a link or over a file someone else put at this name
        fsm.writeFileSync(join(rel), content, { flag: 'wx' });
      } catch (e: any) {
        if (e && e.code === 'EEXIST') continue;
        temps.add(rel); // a write that failed half way leaves half a file: abort() removes it
        throw e;
      }
      temps.add(rel);
      return rel;
    }
  };

  const ensureDir = (dirRel: string): void => {
    if (dirRel === '' ? rootExists : dirs.has(dirRel)) return;
    if (dirRel === '') {
      makeFoldersHere(outdir, fsm, pathm);
      rootExists = true;
      return;
    }
    ensureDir(parentOf(dirRel));
    fsm.mkdirSync(join(dirRel));
    dirs.add(dirRel);
    createdDirs.push(dirRel);
  };

  /** The temporary folder that stands for the new folder `top` (whose parent exists), made on first use. */
  const stagedFolder = (top: string): string => {
    let tmp = stagedFolders.get(top);
    if (tmp !== undefined) return tmp;
    ensureDir(parentOf(top));
    for (;;) {
      const rel = tempName(parentOf(top));
      if (leftoverSet.has(rel)) continue;
      try {
        fsm.mkdirSync(join(rel));
      } catch (e: any) {
        if (e && e.code === 'EEXIST') continue;
        throw e;
      }
      tmp = rel;
      break;
    }
    stagedFolders.set(top, tmp);
    return tmp;
  };

  /** Writes a new file inside the staged folder of its topmost new folder `top`. */
  const writeStaged = (top: string, rel: string, content: string): void => {
    const tmp = stagedFolder(top);
    const inner = `${tmp}${rel.slice(top.length)}`;
    const dir = parentOf(inner);
    const missing: string[] = [];
    for (let d = dir; d !== tmp && !stagedInner.has(d); d = parentOf(d)) missing.push(d);
    for (const d of missing.reverse()) {
      fsm.mkdirSync(join(d));
      stagedInner.add(d);
    }
    // "wx": the folder is this run's own, so nothing is there; a clash would be a bug, never an overwrite
    fsm.writeFileSync(join(inner), content, { flag: 'wx' });
    stagedFiles++;
  };

  /** The topmost folder on the way to `rel` that does not exist yet, or undefined when its folder exists. */
  const topNewFolder = (rel: string): string | undefined => {
    for (let slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
      const dir = rel.slice(0, slash);
      if (!dirs.has(dir)) return dir;
    }
    return undefined;
  };

  // the entries the record holds after this run's last write of it (the same array: nothing to compare)
  let recordEntries: string[] | undefined;
  const writeRecord = (entries: string[]): void => {
    if (entries === recordEntries) return;
    // one join, the last newline included: adding it after would make a cons string that writing and comparing
    // flatten into a second copy of the whole record
    const text = ['# cdk8s-istio-ambient GitOpsApp: the files it wrote here, the only ones it replaces or removes.',
      '# Keep this file in Git beside them; see docs/limits.md.', ...entries, ''].join('\n');
    if (text === recordText) return;
    ensureDir('');
    const tmp = writeTemp('', text);
    fsm.renameSync(join(tmp), join(names.record));
    temps.delete(tmp);
    recordText = text;
    recordEntries = entries;
  };

  const abort = (): void => {
    for (const t of temps) {
      try {
        fsm.rmSync(join(t), { force: true });
      } catch {
        // the next run removes it
      }
    }
    temps.clear();
    for (const t of stagedFolders.values()) {
      try {
        fsm.rmSync(join(t), { recursive: true, force: true });
      } catch {
        // the next run removes it
      }
    }
    stagedFolders.clear();
    for (const d of [...createdDirs].reverse()) {
      try {
        fsm.rmdirSync(join(d));
      } catch {
        // not empty, or gone
      }
    }
  };

  const put = (rel: string, content: string): void => {
    // the shape that keeps a write inside the tree, here; names, lengths and case of all paths in finish()
    const segments = rel.split('/');
    if (pathm.isAbsolute(rel) || rel.includes('\\') || segments.some((x) => x === '' || x === '.' || x === '..' || x.startsWith('.'))) {
      fail(checkPaths([rel], outdir, pathm) ?? `${JSON.stringify(rel)} is not a plain relative path`);
    }
    if (produced.has(rel)) fail(`${shown(rel)} is written twice in one run`);
    producedOrder.push(rel);
    const caseClash = (p: string): void => {
      for (const there of folded.alike(p)) {
        // an owned file in another case is either written again (then the paths clash in finish) or removed first
        if (there !== p && !owned.has(there)) {
          fail(`${shown(p)} and ${shown(there)} differ only in case: on macOS and Windows they are the same name; rename or remove ${shown(there)}`);
        }
      }
    };
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (checkedDirs.has(dir)) continue;
      if (links.has(dir)) fail(`${shown(dir)} is a symbolic link; the writer never follows links in its output tree: replace it with a folder, or write to another folder`);
      if (files.has(dir) || others.has(dir)) fail(`${shown(dir)} is a file where a folder is needed; move it away`);
      caseClash(dir);
      checkedDirs.add(dir);
    }
    if (links.has(rel)) fail(`${shown(rel)} is a symbolic link; the writer never follows links in its output tree (writing would overwrite what it points to): remove the link`);
    if (dirs.has(rel)) fail(`${shown(rel)} is a folder where a file is needed; move it away`);
    if (others.has(rel)) fail(`${shown(rel)} is not a regular file (a pipe, socket or device); move it away`);
    caseClash(rel);
    if (files.has(rel)) {
      if (fsm.readFileSync(join(rel), 'utf8') === content) {
        produced.set(rel, undefined);
        unchanged++;
        return;
      }
      if (!owned.has(rel)) {
        fail(`${shown(rel)} exists and the writer did not write it (it is not in ${names.record}): move it out of the output folder, or delete it to let the writer write it`);
      }
    }
    const top = files.has(rel) ? undefined : topNewFolder(rel);
    if (top !== undefined) {
      writeStaged(top, rel, content);
      produced.set(rel, IN_STAGED_FOLDER);
      return;
    }
    const dir = parentOf(rel);
    ensureDir(dir);
    produced.set(rel, writeTemp(dir, content));
  };

  return {
    put(rel: string, content: string): void {
      try {
        put(rel, content);
      } catch (e) {
        failOnRecord(); // a damaged record is what to report first, as when it was checked before any file
        throw e;
      }
    },
    checkSome,
    finish(): WriteCounts {
      // the last checks before the tree changes: the record, then the paths together (two that differ only in case)
      failOnRecord();
      while (checkSome(1 << 16));
      if (producedProblem !== undefined) fail(producedProblem);
      const oldOnly = [...owned].filter((rel) => !produced.has(rel));
      const stale = oldOnly.filter((rel) => files.has(rel)).sort();
      const next = [...produced.keys()].sort();
      // write-ahead: the record names old and new files before any is replaced, so a crash loses none (built
      // without a set of every path and its copy, which at 250,000 files sat on the writer thread's peak)
      if (next.length > owned.size - oldOnly.length) writeRecord(oldOnly.length === 0 ? next : [...next, ...oldOnly].sort());
      changing = true;
      let removed = 0;
      // stale files go first: on a case-insensitive disk, removing "A" after writing "a" would remove "a"
      for (const rel of stale) {
        fsm.rmSync(join(rel));
        removed++;
        tick();
      }
      for (const rel of next) {
        const tmp = produced.get(rel);
        if (tmp === undefined || tmp === IN_STAGED_FOLDER) continue;
        fsm.renameSync(join(tmp), join(rel));
        temps.delete(tmp);
        written++;
        tick();
      }
      // each new folder in one rename: all its files appear at once, whole
      for (const top of [...stagedFolders.keys()].sort()) {
        fsm.renameSync(join(stagedFolders.get(top)!), join(top));
        stagedFolders.delete(top);
        tick();
      }
      written += stagedFiles;
      for (const t of leftovers) fsm.rmSync(join(t), { force: true });
      for (const t of leftoverDirs) fsm.rmSync(join(t), { recursive: true, force: true });
      // folders that removing stale files left empty, deepest first; never the output folder itself
      const emptied = new Set<string>();
      for (const rel of stale) for (let d = parentOf(rel); d !== ''; d = parentOf(d)) emptied.add(d);
      for (const d of [...emptied].sort((a, b) => b.length - a.length)) {
        if (links.has(d)) continue;
        try {
          if (fsm.readdirSync(join(d)).length === 0) fsm.rmdirSync(join(d));
        } catch {
          // gone already, or not ours to remove
        }
      }
      // when the write-ahead record was `next` itself, this is a no-op: making its text again would be a second
      // copy of every path at the writer thread's peak (13 MB at 10,000 namespaces)
      writeRecord(next);
      return { written, unchanged, removed };
    },
    abort,
    committing: () => changing,
  };
}

/**
 * Writes `files` (relative path → content) under `outdir` on the calling thread, as {@link FolderWriter}
 * does; `fsm` replaces the file system (tests inject failures through it), `caseSeed` fixes the case
 * check's hash, and `idleChecks` checks that many waiting paths after each file, as the writer thread does when
 * it has nothing else to do (tests: the outcome must not depend on it). On failure before the tree changes, the staged files are removed and the error rethrown.
 */
export function syncFolder(outdir: string, files: ReadonlyMap<string, string>, fsm: WriterFs = fs, caseSeed?: number, idleChecks?: number): WriteCounts {
  let sync: FolderSync | undefined;
  try {
    sync = folderSync(fsm, path, outdir, NAMES, undefined, caseSeed);
    for (const [rel, content] of files) {
      sync.put(rel, content);
      if (idleChecks !== undefined) sync.checkSome(idleChecks); // as the writer thread checks between batches
    }
    return sync.finish();
  } catch (e) {
    sync?.abort();
    // whether the tree had started to change (renames, removals) when it failed
    if (e instanceof Error) Object.assign(e, { treeChanged: sync?.committing() ?? false });
    throw e;
  }
}

// shared state between the threads
const DONE = 0; // 0 running, 1 done, 2 failed, 3 aborted
const WRITTEN = 1;
const UNCHANGED = 2;
const REMOVED = 3;
const ERROR_LENGTH = 4;
const READY = 5; // the worker runs its message loop
const BEAT = 6; // incremented by the worker on a timer and on every file
const COMMITTING = 7; // the tree itself has started to change
const PROCESSED = 8; // files the worker has taken in (written, staged or found unchanged)
const SENT = 9; // files this thread has posted to the worker (it checks paths only while it has taken them all in)
const STATE_SLOTS = 10;
const BATCH = 64;
/** Files handed to the worker and not yet taken in, at most: what waits in its queue is memory. */
const MAX_IN_FLIGHT = 4096;
const BEAT_MS = 100;

/** How long {@link FolderWriter} waits for a worker that shows no sign of life. */
export interface FolderWriterTimeouts {
  /** A worker that has not started by then is ended and the writes done on this thread. @default 10000 */
  readonly startMs?: number;
  /** A worker whose heartbeat stops this long is taken as dead, and `finish()` fails. @default 5000 */
  readonly stallMs?: number;
  /** Source of the worker (tests: one that fails or dies). @default - the writer's own */
  readonly workerSource?: string;
}

/** The worker's message loop around `folderSync`, run from its source text. */
function workerMain(parentPort: any, workerData: any, state: Int32Array, fail: (e: unknown) => void, sync: typeof folderSync): void {
  Atomics.store(state, 5, 1); // READY
  Atomics.notify(state, 5);
  let s: FolderSync | undefined;
  try {
    s = sync(require('fs'), require('path'), workerData.outdir, workerData.names, () => Atomics.add(state, 6, 1));
  } catch (e) {
    fail(e);
  }
  // the path checks that wait (FolderSync.checkSome) run a few at a time while every file posted is taken in: a
  // batch on its way goes first, and finish() checks what is left
  let idleQueued = false;
  const idle = (): void => {
    idleQueued = false;
    if (!s || Atomics.load(state, 0) !== 0 || Atomics.load(state, 9) !== Atomics.load(state, 8)) return; // SENT, PROCESSED
    try {
      if (s.checkSome(2048)) idleSoon(); // a few milliseconds of checks at a time
    } catch (e) {
      s.abort();
      fail(e);
    }
  };
  const idleSoon = (): void => {
    if (idleQueued) return;
    idleQueued = true;
    setImmediate(idle);
  };
  idleSoon();
  const done = (counts: WriteCounts): void => {
    state[1] = counts.written;
    state[2] = counts.unchanged;
    state[3] = counts.removed;
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  };
  parentPort.on('message', (m: Array<[string, string]> | 'end' | 'abort') => {
    if (!s || Atomics.load(state, 0) !== 0) return;
    try {
      if (m === 'abort') {
        s.abort();
        Atomics.store(state, 0, 3); // aborted: what this run staged is gone
        Atomics.notify(state, 0);
      } else if (m === 'end') {
        Atomics.store(state, 7, 1); // COMMITTING (finish() changes the tree only after its checks)
        done(s.finish());
      } else {
        for (const [rel, content] of m) {
          s.put(rel, content);
          Atomics.add(state, 6, 1); // BEAT: a long batch is still a sign of life
        }
        Atomics.add(state, 8, m.length); // PROCESSED
        Atomics.notify(state, 8);
        idleSoon();
      }
    } catch (e) {
      if (!s.committing()) Atomics.store(state, 7, 0);
      s.abort();
      fail(e);
    }
  });
}

/**
 * The worker: a bootstrap in plain text (never instrumented by coverage tools), then the functions above.
 * `main` replaces the message loop's source (tests: one that dies, or one instrumented as coverage would).
 */
export function workerSource(main: string = workerMain.toString()): string {
  return `
const { parentPort, workerData } = require('worker_threads');
const state = new Int32Array(workerData.state);
const error = new Uint8Array(workerData.error);
const fail = (e) => {
  if (Atomics.load(state, ${DONE}) !== 0) return;
  const bytes = Buffer.from(String((e && e.message) || e).split('\\n')[0]).subarray(0, error.length);
  error.set(bytes);
  state[${ERROR_LENGTH}] = bytes.length;
  Atomics.store(state, ${DONE}, 2);
  Atomics.notify(state, ${DONE});
};
process.on('exit', () => fail(new Error('the writer thread exited before it finished')));
setInterval(() => Atomics.add(state, ${BEAT}, 1), ${BEAT_MS});
try {
  const caseFolding = (${caseFolding.toString()});
  const pathChecker = (${pathChecker.toString()});
  const checkPaths = (${checkPaths.toString()});
  const makeFoldersHere = (${makeFolders.toString()});
  (${main})(parentPort, workerData, state, fail, (${folderSync.toString()}));
} catch (e) {
  fail(e);
}
`;
}

/**
 * A folder sync whose file operations run on a worker thread: start it early (it lists the folder meanwhile),
 * `put` files as they are produced, then `finish` (blocks until written) or `abort` (writes nothing).
 * Falls back to the calling thread where a worker thread cannot start (or dies before it starts, as under
 * coverage instrumentation); a worker that dies later fails `finish()` within {@link FolderWriterTimeouts.stallMs}.
 */
export class FolderWriter {
  private readonly state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private readonly error = new Uint8Array(new SharedArrayBuffer(1024));
  private worker?: Worker;
  /** The in-thread sync, when no worker could start. */
  private local?: FolderSync;
  private readonly outdir: string;
  private readonly startMs: number;
  private readonly stallMs: number;
  /** Files not yet handed to the worker (all of them until it is known to run). */
  private pending: Array<[string, string]> = [];
  /** Files posted to the worker so far. */
  private sent = 0;
  private started = false;
  private readonly createdAt = Date.now();

  constructor(outdir: string, timeouts: FolderWriterTimeouts = {}) {
    this.outdir = outdir;
    this.startMs = timeouts.startMs ?? 10_000;
    this.stallMs = timeouts.stallMs ?? 5_000;
    try {
      this.worker = new Worker(timeouts.workerSource ?? workerSource(), {
        eval: true,
        workerData: { state: this.state.buffer, error: this.error.buffer, outdir, names: NAMES },
      });
      // the process may exit while the worker idles; finish() and abort() end it anyway
      this.worker.unref();
    } catch {
      // no worker threads here: put() and finish() do the work on this thread
    }
  }

  /** Queues one file; nothing touches the folder before the first call. */
  public put(rel: string, content: string): void {
    this.started = true;
    if (this.local || !this.worker) {
      const sync = this.localSync();
      try {
        sync.put(rel, content);
      } catch (e) {
        sync.abort();
        throw this.failure(firstLine(e), false);
      }
      return;
    }
    this.pending.push([rel, content]);
    if (this.pending.length >= BATCH && Atomics.load(this.state, READY) === 1) this.flush();
  }

  /** Checks everything, then changes the tree (renames, removals), and says what changed. */
  public finish(): WriteCounts {
    if (this.worker && !this.local && !this.awaitStart()) this.fallBack();
    if (this.local || !this.worker) {
      const sync = this.localSync();
      try {
        return sync.finish();
      } catch (e) {
        sync.abort();
        throw this.failure(firstLine(e), sync.committing());
      }
    }
    this.flush();
    this.worker.postMessage('end');
    // synth() is synchronous: block this thread until the worker is done, watching its heartbeat
    if (!this.awaitWorker()) {
      void this.worker.terminate();
      throw this.failure(`the writer thread stopped (no sign of life for ${Math.round(this.stallMs / 1000)} s)`, Atomics.load(this.state, COMMITTING) === 1);
    }
    void this.worker.terminate();
    if (Atomics.load(this.state, DONE) === 2) {
      const message = Buffer.from(this.error.subarray(0, this.state[ERROR_LENGTH])).toString('utf8');
      throw this.failure(message, Atomics.load(this.state, COMMITTING) === 1);
    }
    return { written: this.state[WRITTEN], unchanged: this.state[UNCHANGED], removed: this.state[REMOVED] };
  }

  /**
   * Blocks this thread until the worker says it is done (true), or until its heartbeat has been still for
   * `stallMs` (false): finish and abort wait the same way.
   */
  private awaitWorker(): boolean {
    let beat = Atomics.load(this.state, BEAT);
    let lastSign = Date.now();
    while (Atomics.load(this.state, DONE) === 0) {
      Atomics.wait(this.state, DONE, 0, BEAT_MS);
      const now = Atomics.load(this.state, BEAT);
      if (now !== beat) {
        beat = now;
        lastSign = Date.now();
      } else if (Date.now() - lastSign > this.stallMs) {
        return false;
      }
    }
    return true;
  }

  /**
   * Ends the writer leaving the folder as it was: what was staged is removed (synthesis failed after some files
   * were put, before finish). Never throws: a worker that does not answer is ended, and the next run removes
   * what it staged.
   */
  public abort(): void {
    if (this.local) {
      this.local.abort();
    } else if (this.worker && this.started && Atomics.load(this.state, READY) === 1 && Atomics.load(this.state, DONE) === 0) {
      this.worker.postMessage('abort');
      this.awaitWorker();
    }
    this.pending = [];
    void this.worker?.terminate();
  }

  private failure(message: string, committing: boolean): Error {
    const state = committing
      ? 'it may be partly updated (every file is whole: old or new, and the record lists both); run synth again to complete it'
      : 'nothing in it was changed';
    return new Error(`GitOpsApp: writing ${this.outdir} failed: ${message}; ${state}`);
  }

  /** Waits (bounded) until the worker runs its loop; false when it failed before, or never started. */
  private awaitStart(): boolean {
    for (;;) {
      if (Atomics.load(this.state, READY) === 1) return true;
      if (Atomics.load(this.state, DONE) !== 0) return false;
      if (Date.now() - this.createdAt > this.startMs) return false;
      Atomics.wait(this.state, READY, 0, BEAT_MS);
    }
  }

  /** The worker never ran: it is ended, and what it was to write is written on this thread. */
  private fallBack(): void {
    void this.worker?.terminate();
    const sync = this.localSync();
    try {
      for (const [rel, content] of this.pending) sync.put(rel, content);
    } catch (e) {
      sync.abort();
      throw this.failure(firstLine(e), false);
    }
    this.pending = [];
  }

  private localSync(): FolderSync {
    this.local ??= folderSync(fs, path, this.outdir, NAMES);
    return this.local;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    // back-pressure: while the worker is far behind, wait for it (bounded by its heartbeat) instead of queueing
    let beat = Atomics.load(this.state, BEAT);
    let lastSign = Date.now();
    for (;;) {
      const processed = Atomics.load(this.state, PROCESSED);
      if (this.sent - processed <= MAX_IN_FLIGHT || Atomics.load(this.state, DONE) !== 0) break;
      Atomics.wait(this.state, PROCESSED, processed, BEAT_MS);
      const now = Atomics.load(this.state, BEAT);
      if (now !== beat) {
        beat = now;
        lastSign = Date.now();
      } else if (Date.now() - lastSign > this.stallMs) break; // finish() reports the stopped worker
    }
    this.sent += this.pending.length;
    Atomics.store(this.state, SENT, this.sent);
    this.worker!.postMessage(this.pending);
    this.pending = [];
  }
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}
