/**
 * What git's index says about the files of a work tree: for each path, the object id of its content and the
 * stat data git saw when it last knew the file to hold exactly that content. `analyze --cache` uses it to know
 * a file's content without reading it: a file whose stat data (times to within a microsecond, size, inode, device,
 * owner) is still what the index holds, and that was not written in the index's own last moments (git's
 * "racily clean" entries), holds the content git hashed. That is what `git status` trusts; after a fresh
 * checkout every file is such a file, where times kept by the cache itself would all be new.
 *
 * Read here, not by running git: a git process reads the repository's configuration, which can run commands
 * (`core.fsmonitor`), and git may not be installed. The format is gitformat-index(5), versions 2 to 4; an index
 * this reader does not fully understand (a split or sparse index, an unknown required extension, a damaged or
 * truncated file) is no index at all, and every file is then read as before. No npm library reads it with its
 * stat data: isomorphic-git's reader is internal, and its public walk costs a promise per entry.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { openRegular } from './open-regular';

/**
 * What the index keeps of one path: stat data as git stores it (each field truncated to 32 bits; the times also
 * in milliseconds, as Node gives them) and the object id.
 */
export interface GitIndexEntry {
  readonly ctimeMs: number;
  readonly mtimeSec: number;
  readonly mtimeNsec: number;
  readonly mtimeMs: number;
  readonly dev: number;
  readonly ino: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** The object id of the content, in hex (40 digits in a SHA-1 repository, 64 in a SHA-256 one). */
  readonly oid: string;
}

/**
 * The entries of an index file: where each kept path's entry starts in the file's bytes. The entries are read
 * from the bytes where they are used ({@link entryAt}): an object per entry would be 250,000 of them for a large
 * repository, most of whose cost is collecting them again.
 */
export interface ParsedIndex {
  readonly paths: ReadonlyMap<string, number>;
  readonly bytes: Buffer;
  /** 20 for SHA-1 object ids, 32 for SHA-256. */
  readonly idBytes: number;
}

/** The index of one work tree, and when its file was written. */
export interface GitIndex extends ParsedIndex {
  readonly mtimeSec: number;
  readonly mtimeNsec: number;
}

/** The entry that starts at `offset` of an index's bytes (an offset from {@link ParsedIndex.paths}). */
export function entryAt(index: ParsedIndex, offset: number): GitIndexEntry {
  const b = index.bytes;
  const mtimeSec = b.readUInt32BE(offset + 8);
  const mtimeNsec = b.readUInt32BE(offset + 12);
  return {
    ctimeMs: b.readUInt32BE(offset) * 1e3 + b.readUInt32BE(offset + 4) / 1e6,
    mtimeSec, mtimeNsec, mtimeMs: mtimeSec * 1e3 + mtimeNsec / 1e6,
    dev: b.readUInt32BE(offset + 16), ino: b.readUInt32BE(offset + 20),
    uid: b.readUInt32BE(offset + 28), gid: b.readUInt32BE(offset + 32), size: b.readUInt32BE(offset + 36),
    oid: oidAt(index, offset),
  };
}

/** The object id of the entry at `offset`, in hex. */
export function oidAt(index: ParsedIndex, offset: number): string {
  return index.bytes.toString('hex', offset + STAT_BYTES, offset + STAT_BYTES + index.idBytes);
}

/** An index larger than this is not read (git's own cap on an entry count is 2^32; 1 GiB is some 10 million paths). */
const MAX_INDEX_BYTES = 1 << 30;
/** The index read per file listed: at about 100 bytes an entry, up to some ten entries for each file of the input. */
const INDEX_BYTES_PER_FILE = 1024;
const HEADER = 12;
/** ctime, mtime, dev, ino, mode, uid, gid and size (the times 8 bytes each), then the object id and 2 bytes of flags. */
const STAT_BYTES = 40;
const ASSUME_VALID = 0x8000;
const EXTENDED = 0x4000;
const STAGE = 0x3000;
const NAME_LENGTH = 0x0fff;
const SKIP_WORKTREE = 0x4000;
const INTENT_TO_ADD = 0x2000;
const REGULAR_FILE = 0o100000;
const TYPE_BITS = 0o170000;
const NOT_ASCII = /[^\x00-\x7f]/;

/**
 * The entries of an index file's bytes, or undefined when they are not an index this reader understands whole.
 * Only stage-0 regular files without a flag that makes git skip the file in the work tree (assume-unchanged,
 * skip-worktree, intent-to-add) are kept: for every other entry the file is read. Never throws.
 */
export function parseGitIndex(bytes: Buffer): ParsedIndex | undefined {
  try {
    // the object ids are SHA-1 (20 bytes) or SHA-256 (32); the trailing checksum is the same hash of all before it
    // (or all zeros, with index.skipHash), and the whole must parse to exactly where the checksum starts
    for (const idBytes of [20, 32]) {
      const paths = parseWith(bytes, idBytes);
      if (paths) return { paths, bytes, idBytes };
    }
  } catch {
    // an index we cannot read is no index
  }
  return undefined;
}

function parseWith(bytes: Buffer, idBytes: number): Map<string, number> | undefined {
  const end = bytes.length - idBytes;
  if (end < HEADER || bytes.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const trailer = bytes.subarray(end);
  if (trailer.some((b) => b !== 0)) {
    const sum = crypto.createHash(idBytes === 20 ? 'sha1' : 'sha256').update(bytes.subarray(0, end)).digest();
    if (!sum.equals(trailer)) return undefined;
  }
  const version = bytes.readUInt32BE(4);
  if (version < 2 || version > 4) return undefined;
  const count = bytes.readUInt32BE(8);
  const fixed = STAT_BYTES + idBytes + 2;
  if (count > (end - HEADER) / fixed) return undefined;
  const entries = new Map<string, number>();
  let at = HEADER;
  let previous: Buffer = Buffer.alloc(0); // version 4 only: the previous entry's path
  let nameAt = 0;
  let nameEnd = 0;
  for (let i = 0; i < count; i++) {
    const start = at;
    if (at + fixed > end) return undefined;
    const flags = bytes.readUInt16BE(at + STAT_BYTES + idBytes);
    at += fixed;
    let extended = 0;
    if (flags & EXTENDED) {
      if (version < 3 || at + 2 > end) return undefined;
      extended = bytes.readUInt16BE(at);
      at += 2;
      if (extended & ~(SKIP_WORKTREE | INTENT_TO_ADD)) return undefined; // flags git itself does not know
    }
    let name: Buffer | undefined; // version 4 makes each path from the one before; 2 and 3 have it whole
    if (version === 4) {
      // the number of bytes to drop from the end of the previous path (a varint), then the rest, NUL-terminated
      let drop = 0;
      let b: number;
      let n = 0;
      do {
        if (at >= end || n++ > 3) return undefined; // 4 bytes carry 28 bits, more than any path needs
        b = bytes[at++];
        drop = (drop << 7) | (b & 0x7f);
        if (b & 0x80) drop++;
      } while (b & 0x80);
      if (drop > previous.length) return undefined;
      const nul = bytes.indexOf(0, at);
      if (nul < 0 || nul >= end) return undefined;
      name = Buffer.concat([previous.subarray(0, previous.length - drop), bytes.subarray(at, nul)]);
      previous = name;
      at = nul + 1;
    } else {
      // the name ends at its first NUL, which must be where its length says (a name holds no NUL)
      const length = flags & NAME_LENGTH;
      const nul = bytes.indexOf(0, at);
      if (nul < 0 || nul >= end || (length === NAME_LENGTH ? nul < at + NAME_LENGTH : nul !== at + length)) return undefined;
      nameAt = at;
      nameEnd = nul;
      // 1 to 8 NUL bytes pad the entry to a multiple of 8
      at = start + ((nul - start + 8) & ~7);
      if (at > end) return undefined;
    }
    const mode = bytes.readUInt32BE(start + 24);
    if ((flags & (ASSUME_VALID | STAGE)) || extended || (mode & TYPE_BITS) !== REGULAR_FILE) continue;
    let text = name ? name.toString('latin1') : bytes.toString('latin1', nameAt, nameEnd);
    if (NOT_ASCII.test(text)) {
      const raw = name ?? bytes.subarray(nameAt, nameEnd);
      text = raw.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(raw)) continue; // not UTF-8: no path we list can name it
    }
    entries.set(text, start);
  }
  // extensions: a signature, a length, the data; one whose signature does not start with A to Z is required
  // (a split index's `link`, a sparse index's `sdir`) and changes what the entries mean, so the index is not used
  while (at < end) {
    if (at + 8 > end) return undefined;
    const first = bytes[at];
    const length = bytes.readUInt32BE(at + 4);
    if (first < 0x41 || first > 0x5a) return undefined;
    at += 8 + length;
  }
  return at === end ? entries : undefined;
}

/**
 * The work tree that holds `dir` (the nearest folder at or above it with a `.git` folder, or a `.git` file that
 * names one, as a linked work tree has) and its index; undefined when there is none or it cannot be read. `found`
 * is called when the git folder is found, before the index is read.
 */
export function workTreeIndex(dir: string, maxIndexBytes = MAX_INDEX_BYTES, found?: () => void): { top: string; index: GitIndex } | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(dotGit);
    } catch {
      st = undefined;
    }
    if (st) {
      const gitDir = st.isDirectory() ? dotGit : st.isFile() ? linkedGitDir(dotGit) : undefined;
      if (gitDir !== undefined) found?.();
      const index = gitDir === undefined ? undefined : readIndexFile(path.join(gitDir, 'index'), Math.min(maxIndexBytes, MAX_INDEX_BYTES));
      return index ? { top: d, index } : undefined;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** The folder a `.git` file points at (`gitdir: <path>`, relative to the file's folder), if it says so plainly. */
function linkedGitDir(dotGit: string): string | undefined {
  const text = readRegular(dotGit, 64 * 1024)?.bytes.toString('utf8');
  const m = text === undefined ? null : /^gitdir: (.+?)\r?\n?$/.exec(text);
  return m ? path.resolve(path.dirname(dotGit), m[1]) : undefined;
}

function readIndexFile(file: string, maxBytes: number): GitIndex | undefined {
  const read = readRegular(file, maxBytes);
  if (!read) return undefined;
  const parsed = parseGitIndex(read.bytes);
  return parsed ? { ...parsed, mtimeSec: read.mtimeSec, mtimeNsec: read.mtimeNsec } : undefined;
}

/** A regular file's bytes and modification time, or undefined (a pipe or a device is never read: see openRegular). */
function readRegular(file: string, max: number): { bytes: Buffer; mtimeSec: number; mtimeNsec: number } | undefined {
  const fd = openRegular(file);
  if (fd === undefined) return undefined;
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (st.size > BigInt(max)) return undefined;
    const bytes = Buffer.allocUnsafe(Number(st.size));
    let got = 0;
    while (got < bytes.length) {
      const n = fs.readSync(fd, bytes, got, bytes.length - got, null);
      if (n === 0) return undefined; // shorter than fstat said: being rewritten
      got += n;
    }
    return { bytes, mtimeSec: Number(st.mtimeNs / BigInt(1e9)), mtimeNsec: Number(st.mtimeNs % BigInt(1e9)) };
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The numbers {@link statAsGit} writes for a file. */
export const STAT_FIELDS = 8;

/**
 * A file's stat data into `out` at `at`, {@link STAT_FIELDS} numbers: ctime and mtime in milliseconds (as Node
 * gives them), device, inode, owner, group, size and permission bits; NaN first when it is no regular file (or
 * cannot be looked at). `lstat`, so a link is never a match. Numbers in one array for all files: the worker threads
 * write them straight into shared memory, with no object per file.
 */
export function statAsGit(file: string, out: Float64Array, at: number): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file, { throwIfNoEntry: false });
  } catch {
    st = undefined;
  }
  // (numbers, not BigInts, which cost a fifth more per file: see matchesIndex for what that leaves out)
  if (!st || !st.isFile() || !Number.isSafeInteger(st.dev) || !Number.isSafeInteger(st.ino)) {
    out[at] = NaN;
    return;
  }
  out[at] = st.ctimeMs;
  out[at + 1] = st.mtimeMs;
  out[at + 2] = st.dev;
  out[at + 3] = st.ino;
  out[at + 4] = st.uid;
  out[at + 5] = st.gid;
  out[at + 6] = st.size;
  out[at + 7] = st.mode & 0o7777;
}

/** Half a microsecond: the times Node gives in milliseconds carry about a quarter of one (53 bits of 1.8e12 ms). */
const TIME_SLACK_MS = 5e-4;

/**
 * Whether a file whose stat data is at `at` in `st` ({@link statAsGit}) holds the content of index entry `e`: every field as the index has it
 * (device, inode, owner, group and size in their low 32 bits, as git keeps them; the times to within half a
 * microsecond, which is as near as Node's milliseconds tell them and finer than any file system's clock moves
 * between two writes), and the file not modified at or after the moment the index was written (git's racily
 * clean entries, whose content git itself compares again).
 */
export function matchesIndex(st: ArrayLike<number>, at: number, e: GitIndexEntry, index: { readonly mtimeSec: number; readonly mtimeNsec: number }): boolean {
  if ((st[at + 2] >>> 0) !== e.dev || (st[at + 3] >>> 0) !== e.ino || (st[at + 4] >>> 0) !== e.uid || (st[at + 5] >>> 0) !== e.gid
    || (st[at + 6] >>> 0) !== e.size || !(Math.abs(st[at] - e.ctimeMs) <= TIME_SLACK_MS) || !(Math.abs(st[at + 1] - e.mtimeMs) <= TIME_SLACK_MS)) return false;
  return e.mtimeSec < index.mtimeSec || (e.mtimeSec === index.mtimeSec && e.mtimeNsec < index.mtimeNsec);
}

/** An input path of a run and the index of the work tree it is in. */
export interface RootIndex {
  /** What the paths listed below it start with (a folder), or undefined for a file given by name. */
  readonly prefix?: string;
  /** The path as given, for a file given by name. */
  readonly exact?: string;
  /** Its path from the top of its work tree, `/`-separated ('' at the top). */
  readonly base: string;
  readonly index: GitIndex;
}

/**
 * The work trees of `roots` (the paths as given to `listFiles`) with their indexes, read once for a run; empty when
 * none is in a work tree whose index can be read. `files`, the number of files listed, bounds the index read: one
 * much larger than the input (a small folder of a large repository) costs more to read than the files themselves.
 * `found` is called as each work tree is found, before its index is read (the cache starts statting the files then).
 */
export function rootIndexes(roots: readonly string[], files = Infinity, found?: () => void): RootIndex[] {
  // an entry takes some 60 to 150 bytes, and reading an entry costs about a tenth of reading a small file
  const maxIndexBytes = Math.max(1 << 20, files * INDEX_BYTES_PER_FILE);
  const out: RootIndex[] = [];
  const trees = new Map<string, { top: string; index: GitIndex } | undefined>();
  for (const root of roots) {
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch {
      continue;
    }
    const at = path.resolve(st.isDirectory() ? root : path.dirname(root));
    if (!trees.has(at)) trees.set(at, workTreeIndex(at, maxIndexBytes, found));
    const tree = trees.get(at);
    if (!tree) continue;
    const base = path.relative(tree.top, path.resolve(root)).split(path.sep).join('/');
    if (base === '..' || base.startsWith('../') || path.isAbsolute(base)) continue;
    // below a folder given, listFiles joins its children with path.join, so they start as path.join(root, name) does
    out.push(st.isDirectory() ? { prefix: path.join(root, '_').slice(0, -1), base, index: tree.index } : { exact: root, base, index: tree.index });
  }
  return out;
}

/**
 * What git's index says about the files listed below the roots of `indexes` ({@link rootIndexes}): for each file,
 * in order, the object id of its content when git vouches for it ({@link matchesIndex}), or undefined when the
 * file is to be read. `stats` holds each file's {@link statAsGit}, in order.
 */
export function gitContentKeys(indexes: readonly RootIndex[], files: readonly string[], stats: Float64Array): Array<string | undefined> {
  const out = new Array<string | undefined>(files.length).fill(undefined);
  if (indexes.length === 0) return out;
  for (let i = 0; i < files.length; i++) {
    if (Number.isNaN(stats[i * STAT_FIELDS])) continue;
    const rel = relativePath(indexes, files[i]);
    if (!rel) continue;
    const offset = rel.root.index.paths.get(rel.path);
    if (offset === undefined) continue;
    const e = entryAt(rel.root.index, offset);
    if (matchesIndex(stats, i * STAT_FIELDS, e, rel.root.index)) out[i] = e.oid;
  }
  return out;
}

function relativePath(roots: readonly RootIndex[], file: string): { root: RootIndex; path: string } | undefined {
  // a file given by name is itself; else the longest folder given that it is below (roots may nest)
  let best: RootIndex | undefined;
  for (const r of roots) {
    if (r.exact !== undefined) {
      if (r.exact === file) return { root: r, path: r.base };
    } else if (file.startsWith(r.prefix!) && (!best || best.prefix!.length < r.prefix!.length)) {
      best = r;
    }
  }
  if (!best) return undefined;
  let rest = file.slice(best.prefix!.length);
  if (path.sep !== '/') rest = rest.split(path.sep).join('/');
  return { root: best, path: best.base === '' ? rest : `${best.base}/${rest}` };
}
