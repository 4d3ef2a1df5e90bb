// git's index, read without git: every version git writes gives the entries `git ls-files` prints, a file is
// vouched for only while its stat data is what the index holds (and not racily clean), and a damaged, foreign or
// hostile index is no index (never an error, a hang or a wrong entry).
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { STAT_FIELDS, entryAt, gitContentKeys, matchesIndex, oidAt, parseGitIndex, rootIndexes, statAsGit, workTreeIndex } from '../../src/loader/git-index';
import { listFiles, startStatFiles, statFiles } from '../../src/loader/load';
import { git, settle, tmpDir, withGit } from '../support';

// (scratch folders go with the run's temporary folder: test/global-setup.js)
const scratch = tmpDir;


/** A path longer than the 255 bytes a name may have: its folders carry it. */
const LONG = `long/${'x'.repeat(200)}/${'y'.repeat(200)}.yaml`;

function makeRepo(): string {
  const dir = scratch('git-index-');
  git(dir, 'init', '-q');
  const files: Record<string, string> = {
    'a.yaml': 'a: 1\n',
    'd/b.yaml': 'b: 2\n',
    'd/e/c.yml': 'c: 3\n',
    'ünï/ködé.yaml': 'u: 4\n',
    [LONG]: 'l: 5\n',
    'empty.yaml': '',
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.symlinkSync('a.yaml', path.join(dir, 'link.yaml'));
  fs.writeFileSync(path.join(dir, 'run.yaml'), 'r: 6\n', { mode: 0o755 });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'x');
  settle(dir);
  return dir;
}

/** What `git ls-files --stage` says: regular files at stage 0, path to object id. */
function lsFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of git(dir, '-c', 'core.quotePath=false', 'ls-files', '--stage', '-z').split('\0')) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(line);
    if (m && m[3] === '0' && m[1].startsWith('100')) out[m[4]] = m[2];
  }
  return out;
}

function entriesOf(dir: string): Record<string, string> {
  const parsed = parseGitIndex(fs.readFileSync(path.join(dir, '.git', 'index')));
  expect(parsed).toBeDefined();
  return Object.fromEntries([...parsed!.paths].map(([p, offset]) => [p, oidAt(parsed!, offset)]));
}

describe('parseGitIndex', () => {
  withGit('reads every index version git writes (2, 3 and 4) to the entries git lists', () => {
    const dir = makeRepo();
    const expected = lsFiles(dir);
    // the symbolic link is not a regular file: not an entry
    expect(Object.keys(expected).sort()).toEqual(['a.yaml', 'd/b.yaml', 'd/e/c.yml', 'empty.yaml', LONG, 'run.yaml', 'ünï/ködé.yaml']);
    for (const version of ['2', '4']) {
      git(dir, 'update-index', '--index-version', version);
      expect(fs.readFileSync(path.join(dir, '.git', 'index')).readUInt32BE(4)).toBe(Number(version));
      expect(entriesOf(dir)).toEqual(expected);
    }
    // git writes version 3 when an entry has extended flags (skip-worktree here, whose entry is then left out)
    git(dir, 'update-index', '--index-version', '3');
    git(dir, 'update-index', '--skip-worktree', 'run.yaml');
    expect(fs.readFileSync(path.join(dir, '.git', 'index')).readUInt32BE(4)).toBe(3);
    const { ['run.yaml']: _skipped, ...rest } = expected;
    expect(entriesOf(dir)).toEqual(rest);
  });

  withGit('keeps the stat data git records for each entry', () => {
    const dir = makeRepo();
    const parsed = parseGitIndex(fs.readFileSync(path.join(dir, '.git', 'index')))!;
    const e = entryAt(parsed, parsed.paths.get('d/b.yaml')!);
    const st = fs.statSync(path.join(dir, 'd', 'b.yaml'));
    expect(e).toMatchObject({ size: st.size, ino: st.ino >>> 0, dev: st.dev >>> 0, uid: st.uid >>> 0, gid: st.gid >>> 0 });
    expect(Math.abs(e.mtimeMs - st.mtimeMs)).toBeLessThan(1e-3);
    expect(Math.abs(e.ctimeMs - st.ctimeMs)).toBeLessThan(1e-3);
    // git's object id of a blob: the hash of "blob <size>\0" and the bytes
    expect(e.oid).toBe(crypto.createHash('sha1').update('blob 5\0b: 2\n').digest('hex'));
  });

  withGit('leaves out entries git does not keep in step with the file (assume-unchanged, skip-worktree, intent-to-add)', () => {
    const dir = makeRepo();
    git(dir, 'update-index', '--assume-unchanged', 'a.yaml');
    git(dir, 'update-index', '--skip-worktree', 'd/b.yaml');
    fs.writeFileSync(path.join(dir, 'new.yaml'), 'n: 1\n');
    git(dir, 'add', '--intent-to-add', 'new.yaml');
    const entries = entriesOf(dir);
    expect(entries['a.yaml']).toBeUndefined();
    expect(entries['d/b.yaml']).toBeUndefined();
    expect(entries['new.yaml']).toBeUndefined();
    expect(entries['d/e/c.yml']).toBeDefined();
  });

  withGit('is no index when the checksum is wrong, an extension is required and unknown, or the file ends early', () => {
    const dir = makeRepo();
    const bytes = fs.readFileSync(path.join(dir, '.git', 'index'));
    expect(parseGitIndex(bytes)).toBeDefined();
    const flipped = Buffer.from(bytes);
    flipped[20] ^= 1;
    expect(parseGitIndex(flipped)).toBeUndefined();
    // a required extension (lowercase first letter, like a split index's "link"), with a valid checksum
    const withExt = (sig: string) => {
      const body = Buffer.concat([bytes.subarray(0, bytes.length - 20), Buffer.from(sig, 'latin1'), Buffer.from([0, 0, 0, 0])]);
      return Buffer.concat([body, crypto.createHash('sha1').update(body).digest()]);
    };
    expect(parseGitIndex(withExt('link'))).toBeUndefined();
    expect(parseGitIndex(withExt('sdir'))).toBeUndefined();
    // an optional one (uppercase) is skipped
    expect([...parseGitIndex(withExt('ZZZZ'))!.paths.keys()]).toEqual(Object.keys(entriesOf(dir)));
    // all zeros where the checksum goes (index.skipHash) is no checksum: the entries are still read
    const skip = Buffer.concat([bytes.subarray(0, bytes.length - 20), Buffer.alloc(20)]);
    expect(parseGitIndex(skip)?.paths.size).toBe(Object.keys(entriesOf(dir)).length);
    for (let n = 0; n < bytes.length - 1; n += 7) expect(parseGitIndex(bytes.subarray(0, n))).toBeUndefined();
  });

  withGit('never throws on damaged bytes, and anything it reads from them is well formed (property)', () => {
    const dir = makeRepo();
    const bytes = fs.readFileSync(path.join(dir, '.git', 'index'));
    git(dir, 'update-index', '--index-version', '4');
    const v4 = fs.readFileSync(path.join(dir, '.git', 'index'));
    // damage with the checksum made good again, so the parser itself meets the damage
    const resum = (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 20), crypto.createHash('sha1').update(b.subarray(0, b.length - 20)).digest()]);
    fc.assert(fc.property(fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (four, edits) => {
      const b = Buffer.from(four ? v4 : bytes);
      for (const [at, value] of edits) b[12 + (at % (b.length - 32))] = value;
      const parsed = parseGitIndex(resum(b));
      if (parsed) {
        for (const [p, offset] of parsed.paths) {
          const e = entryAt(parsed, offset);
          expect(typeof p).toBe('string');
          expect(e.oid).toMatch(/^[0-9a-f]{40}$/);
          expect(Number.isInteger(e.size) && e.size >= 0).toBe(true);
        }
      }
    }), { numRuns: 500 });
    // an entry count no file this size could hold is refused at once, not read to the end
    const huge = Buffer.from(bytes);
    huge.writeUInt32BE(0xffffffff, 8);
    expect(parseGitIndex(resum(huge))).toBeUndefined();
  });

  /** A version 2 index of one regular file, built by hand as gitformat-index(5) lays it out. */
  function handMade(pathName: string, hash: 'sha1' | 'sha256'): { bytes: Buffer; oid: string } {
    const name = Buffer.from(pathName);
    const oid = crypto.createHash(hash).update('blob 5\0x: 1\n').digest();
    const fixed = Buffer.alloc(40);
    fixed.writeUInt32BE(0o100644, 24);
    fixed.writeUInt32BE(5, 36);
    const flags = Buffer.alloc(2);
    flags.writeUInt16BE(Math.min(name.length, 0xfff), 0); // a name of 4,095 bytes or more says 0xfff
    const entry = Buffer.alloc((40 + oid.length + 2 + name.length + 8) & ~7);
    Buffer.concat([fixed, oid, flags, name]).copy(entry);
    const body = Buffer.concat([Buffer.from('DIRC\0\0\0\x02\0\0\0\x01', 'latin1'), entry]);
    return { bytes: Buffer.concat([body, crypto.createHash(hash).update(body).digest()]), oid: oid.toString('hex') };
  }

  test('reads a SHA-256 repository\'s index (32-byte object ids and checksum), and names of 4,095 bytes or more', () => {
    // what git init --object-format=sha256 keeps
    const sha256 = handMade('x.yaml', 'sha256');
    const parsed = parseGitIndex(sha256.bytes);
    expect(parsed && [...parsed.paths.keys()]).toEqual(['x.yaml']);
    expect(oidAt(parsed!, parsed!.paths.get('x.yaml')!)).toBe(sha256.oid);
    const long = `${'d/'.repeat(2500)}x.yaml`;
    expect([...parseGitIndex(handMade(long, 'sha1').bytes)!.paths.keys()]).toEqual([long]);
  });
});

describe('what git vouches for', () => {
  const vouched = (dir: string, roots: string[] = [dir]) => {
    const files = listFiles(roots).files;
    const oids = gitContentKeys(rootIndexes(roots), files, statFiles(files, { workerThreads: 0 }));
    // worker threads stat into shared memory: the same numbers
    expect(statFiles(files, { workerThreads: 1 })).toEqual(statFiles(files, { workerThreads: 0 }));
    // and begun before the index is read, completed after
    let begun: (() => Float64Array) | undefined;
    expect(gitContentKeys(rootIndexes(roots, Infinity, () => { begun ??= startStatFiles(files, { workerThreads: 1 }); }), files, begun!())).toEqual(oids);
    return Object.fromEntries(files.map((f, i) => [f, oids[i] ?? null]));
  };

  withGit('a file whose stat data the index holds, and no other', () => {
    const dir = makeRepo();
    const expected = lsFiles(dir);
    const v = vouched(dir);
    expect(v[path.join(dir, 'd', 'b.yaml')]).toBe(expected['d/b.yaml']);
    expect(v[path.join(dir, 'ünï', 'ködé.yaml')]).toBe(expected['ünï/ködé.yaml']);
    // a link is read through (lstat is no regular file), whatever its target is
    expect(v[path.join(dir, 'link.yaml')]).toBeNull();
    // new content of the same size, with its old times put back: the change time still tells
    const b = path.join(dir, 'd', 'b.yaml');
    const st = fs.statSync(b);
    fs.writeFileSync(b, 'b: 9\n');
    fs.utimesSync(b, st.atime, st.mtime);
    expect(vouched(dir)[b]).toBeNull();
    // a file git does not track
    fs.writeFileSync(path.join(dir, 'untracked.yaml'), 'u: 1\n');
    expect(vouched(dir)[path.join(dir, 'untracked.yaml')]).toBeNull();
    // put back, at times git sees as new: git hashes it again and records it, and it is vouched for again
    fs.writeFileSync(b, 'b: 2\n');
    const earlier = new Date(Date.now() - 7200_000);
    fs.utimesSync(b, earlier, earlier);
    git(dir, 'update-index', '-q', '--really-refresh');
    expect(vouched(dir)[b]).toBe(expected['d/b.yaml']);
  });

  withGit('no entry modified at or after the moment the index was written (racily clean)', () => {
    const dir = makeRepo();
    const a = path.join(dir, 'a.yaml');
    expect(vouched(dir)[a]).not.toBeNull();
    // the index file now older than the entries: every entry is racily clean
    const past = new Date(Date.now() - 7200_000);
    fs.utimesSync(path.join(dir, '.git', 'index'), past, past);
    expect(Object.values(vouched(dir)).every((v) => v === null)).toBe(true);
  });

  withGit('roots given relative, below the top, as files, nested, and through a linked work tree', () => {
    const dir = makeRepo();
    const expected = lsFiles(dir);
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(vouched('.', ['.'])['d/b.yaml']).toBe(expected['d/b.yaml']);
      expect(vouched('d', ['d'])[path.join('d', 'e', 'c.yml')]).toBe(expected['d/e/c.yml']);
      expect(vouched('d/', ['./d/'])[path.join('d', 'b.yaml')]).toBe(expected['d/b.yaml']);
      expect(vouched('x', ['d/b.yaml'])['d/b.yaml']).toBe(expected['d/b.yaml']);
      const both = vouched('x', ['.', 'd']);
      expect(both[path.join('d', 'e', 'c.yml')]).toBe(expected['d/e/c.yml']);
    } finally {
      process.chdir(cwd);
    }
    // a linked work tree: `.git` is a file that names the folder that holds its index
    const linked = path.join(scratch('git-index-linked-'), 'wt');
    git(dir, 'worktree', 'add', '-q', linked);
    settle(linked);
    expect(fs.statSync(path.join(linked, '.git')).isFile()).toBe(true);
    expect(vouched(linked)[path.join(linked, 'd', 'b.yaml')]).toBe(expected['d/b.yaml']);
  });

  withGit('an index much larger than the input is not read: reading the few files costs less', () => {
    const dir = makeRepo();
    // 12,000 entries more (of files not in the work tree): an index of over 1 MiB
    const oid = lsFiles(dir)['a.yaml'];
    const lines = Array.from({ length: 12_000 }, (_, i) => `100644 ${oid}\tbulk/${String(i).padStart(6, '0')}-${'p'.repeat(60)}.yaml\n`).join('');
    execFileSync('git', ['update-index', '--index-info'], { cwd: dir, input: lines, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
    expect(fs.statSync(path.join(dir, '.git', 'index')).size).toBeGreaterThan(2 ** 20);
    expect(rootIndexes([path.join(dir, 'd')], 1)).toEqual([]);
    expect(rootIndexes([path.join(dir, 'd')], 2000)).toHaveLength(1);
    expect(rootIndexes([path.join(dir, 'd')])).toHaveLength(1);
  });

  test('outside any work tree, and where `.git` is not what it claims, nothing is vouched for', () => {
    const dir = scratch('git-index-none-');
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'a: 1\n');
    fs.writeFileSync(path.join(dir, '.git'), 'not a pointer\n');
    expect(workTreeIndex(dir)).toBeUndefined();
    fs.rmSync(path.join(dir, '.git'));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, '.git', 'index'), 'DIRC garbage');
    expect(workTreeIndex(dir)).toBeUndefined();
    expect(rootIndexes([dir])).toEqual([]);
    // an index that is a pipe (whose read would wait for a writer forever) or a device is not read
    fs.rmSync(path.join(dir, '.git', 'index'));
    execFileSync('mkfifo', [path.join(dir, '.git', 'index')]);
    expect(workTreeIndex(dir)).toBeUndefined();
    fs.rmSync(path.join(dir, '.git', 'index'));
    fs.symlinkSync('/dev/zero', path.join(dir, '.git', 'index'));
    expect(workTreeIndex(dir)).toBeUndefined();
    // a `.git` file that names a folder without an index, or names a pipe
    fs.rmSync(path.join(dir, '.git'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.git'), `gitdir: ${path.join(dir, 'nowhere')}\n`);
    expect(workTreeIndex(dir)).toBeUndefined();
    fs.rmSync(path.join(dir, '.git'));
    execFileSync('mkfifo', [path.join(dir, '.git')]);
    expect(workTreeIndex(dir)).toBeUndefined();
  });

  test('matchesIndex compares every field git keeps, and the times to within half a microsecond', () => {
    const index = { mtimeSec: 2000, mtimeNsec: 0 };
    const e = { ctimeMs: 1000_000.000_1, mtimeSec: 1000, mtimeNsec: 100, mtimeMs: 1000_000.000_1, dev: 7, ino: 9, uid: 1, gid: 2, size: 5, oid: 'x' };
    // statAsGit writes STAT_FIELDS numbers where it is told, NaN first for what is no regular file
    const st = new Float64Array(3 * STAT_FIELDS).fill(-1);
    statAsGit(__filename, st, STAT_FIELDS);
    statAsGit(path.dirname(__filename), st, 2 * STAT_FIELDS);
    expect(st[0]).toBe(-1);
    expect(st[STAT_FIELDS + 6]).toBe(fs.statSync(__filename).size);
    expect(st[2 * STAT_FIELDS]).toBeNaN();
    const same = [1000_000.000_1, 1000_000.000_1, 7, 9, 1, 2, 5, 0o644];
    expect(matchesIndex(same, 0, e, index)).toBe(true);
    expect(matchesIndex([0, ...same], 1, e, index)).toBe(true);
    // each field off by one (the times by a microsecond); the device and inode in their low 32 bits, as git keeps them
    for (const k of [0, 1, 2, 3, 4, 5, 6]) {
      const off = [...same];
      off[k] += k < 2 ? 1e-3 : 1;
      expect(matchesIndex(off, 0, e, index)).toBe(false);
    }
    expect(matchesIndex([NaN, ...same.slice(1)], 0, e, index)).toBe(false);
    expect(matchesIndex([same[0], same[1], 7 + 2 ** 32, 9 + 2 ** 33, 1, 2, 5, 0], 0, e, index)).toBe(true);
    // modified in the second the index was written, up to its nanosecond: racily clean
    expect(matchesIndex(same, 0, e, { ...index, mtimeSec: 1000, mtimeNsec: 100 })).toBe(false);
    expect(matchesIndex(same, 0, e, { ...index, mtimeSec: 1000, mtimeNsec: 101 })).toBe(true);
  });
});
