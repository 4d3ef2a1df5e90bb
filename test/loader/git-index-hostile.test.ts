// git's index and `.git` as a hostile or odd checkout has them: `.git` files that point anywhere, indexes that are
// links, huge or that claim more entries than they hold, entry names that climb out of the work tree or hold a NUL,
// entries whose path is a link now, submodules, roots below a linked folder. Never a hang, a read of what the index
// names, or a file vouched for whose stat data is not the entry's.
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { gitContentKeys, parseGitIndex, rootIndexes, workTreeIndex } from '../../src/loader/git-index';
import { listFiles, statFiles } from '../../src/loader/load';
import { git, settle, tmpDir, withGit } from '../support';

interface Entry { readonly name: string; readonly stat?: fs.BigIntStats; readonly oid?: string; readonly nameLength?: number }

/** A version 2 index (gitformat-index(5)) of regular-file entries, each with the stat data given (or zeros). */
function indexOf(entries: readonly Entry[], count = entries.length): Buffer {
  const parts = entries.map((e) => {
    const name = Buffer.from(e.name, 'latin1');
    const fixed = Buffer.alloc(40);
    const st = e.stat;
    if (st) {
      const sec = (ns: bigint) => Number(ns / 1_000_000_000n) >>> 0;
      const nsec = (ns: bigint) => Number(ns % 1_000_000_000n);
      fixed.writeUInt32BE(sec(st.ctimeNs), 0);
      fixed.writeUInt32BE(nsec(st.ctimeNs), 4);
      fixed.writeUInt32BE(sec(st.mtimeNs), 8);
      fixed.writeUInt32BE(nsec(st.mtimeNs), 12);
      fixed.writeUInt32BE(Number(st.dev & 0xffffffffn), 16);
      fixed.writeUInt32BE(Number(st.ino & 0xffffffffn), 20);
      fixed.writeUInt32BE(Number(st.uid), 28);
      fixed.writeUInt32BE(Number(st.gid), 32);
      fixed.writeUInt32BE(Number(st.size), 36);
    }
    fixed.writeUInt32BE(0o100644, 24);
    const oid = Buffer.from(e.oid ?? crypto.createHash('sha1').update(e.name).digest('hex'), 'hex');
    const flags = Buffer.alloc(2);
    flags.writeUInt16BE(Math.min(e.nameLength ?? name.length, 0xfff), 0);
    const entry = Buffer.alloc((40 + oid.length + 2 + name.length + 8) & ~7);
    Buffer.concat([fixed, oid, flags, name]).copy(entry);
    return entry;
  });
  const header = Buffer.from('DIRC\0\0\0\x02\0\0\0\0', 'latin1');
  header.writeUInt32BE(count, 8);
  const body = Buffer.concat([header, ...parts]);
  return Buffer.concat([body, crypto.createHash('sha1').update(body).digest()]);
}

/** A work tree of plain files (times an hour back, so no entry is racily clean), and its `.git` folder made by hand. */
function tree(files: Record<string, string>): string {
  const top = tmpDir('git-hostile-');
  const past = new Date(Date.now() - 3600_000);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
    fs.writeFileSync(path.join(top, rel), text);
    fs.utimesSync(path.join(top, rel), past, past);
  }
  return top;
}

const statOf = (file: string) => fs.lstatSync(file, { bigint: true });

/** Object id a file is vouched for as, per listed file, with roots `roots` (paths as given). */
function vouched(roots: string[]): Record<string, string | null> {
  const files = listFiles(roots).files;
  const oids = gitContentKeys(rootIndexes(roots), files, statFiles(files, { workerThreads: 0 }));
  return Object.fromEntries(files.map((f, i) => [f, oids[i] ?? null]));
}

const OID = 'a'.repeat(40);

describe('`.git` and its index, odd or hostile', () => {
  test('a `.git` file whose gitdir is relative or absolute is followed; one naming a file, itself, a pipe, a NUL or a huge file is no index', () => {
    const top = tree({ 'x.yaml': 'x: 1\n' });
    const gitDir = path.join(tmpDir('git-hostile-dir-'), 'gd');
    fs.mkdirSync(gitDir);
    fs.writeFileSync(path.join(gitDir, 'index'), indexOf([{ name: 'x.yaml', stat: statOf(path.join(top, 'x.yaml')), oid: OID }]));
    const dotGit = path.join(top, '.git');
    const x = path.join(top, 'x.yaml');
    for (const pointer of [`gitdir: ${path.relative(top, gitDir)}\n`, `gitdir: ${gitDir}`, `gitdir: ${gitDir}\r\n`]) {
      fs.writeFileSync(dotGit, pointer);
      expect(vouched([top])[x]).toBe(OID);
    }
    execFileSync('mkfifo', [path.join(top, 'pipe')]);
    for (const pointer of [`gitdir: ${path.join(gitDir, 'index')}\n`, 'gitdir: .git\n', 'gitdir: pipe\n', `gitdir: ${gitDir}\0x\n`, `gitdir: ${gitDir}\ngitdir: ${gitDir}\n`, 'gitdir:\n']) {
      fs.writeFileSync(dotGit, pointer);
      expect({ pointer, index: workTreeIndex(top) }).toEqual({ pointer, index: undefined });
      expect(vouched([top])[x]).toBeNull();
    }
    // a `.git` file of 3 GB (sparse) is not read: a pointer is a line
    fs.writeFileSync(dotGit, `gitdir: ${gitDir}\n`);
    fs.truncateSync(dotGit, 3 * 2 ** 30);
    expect(workTreeIndex(top)).toBeUndefined();
    // `.git` a pipe (a read would wait for a writer), and a link to the folder (git's own is a folder or a file)
    fs.rmSync(dotGit);
    execFileSync('mkfifo', [dotGit]);
    expect(workTreeIndex(top)).toBeUndefined();
    fs.rmSync(dotGit);
    fs.symlinkSync(gitDir, dotGit);
    expect(workTreeIndex(top)).toBeUndefined();
  });

  test('an index that is a link is read through as git reads it; one that loops, is huge, or claims 2^31 entries is no index', () => {
    const top = tree({ 'x.yaml': 'x: 1\n' });
    fs.mkdirSync(path.join(top, '.git'));
    const index = path.join(top, '.git', 'index');
    const real = path.join(tmpDir('git-hostile-idx-'), 'index');
    fs.writeFileSync(real, indexOf([{ name: 'x.yaml', stat: statOf(path.join(top, 'x.yaml')), oid: OID }]));
    fs.symlinkSync(real, index);
    expect(vouched([top])[path.join(top, 'x.yaml')]).toBe(OID);
    fs.rmSync(index);
    fs.symlinkSync(index, index);
    expect(workTreeIndex(top)).toBeUndefined();
    fs.rmSync(index);
    // 2 GB (sparse): more than an input of one file explains, so it is not read at all
    fs.writeFileSync(index, fs.readFileSync(real));
    fs.truncateSync(index, 2 ** 31);
    const spy = jest.spyOn(require('fs') as typeof fs, 'readSync');
    try {
      expect(rootIndexes([top], 1)).toEqual([]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    // a header that claims 2^31 (or 2^32 - 1) entries of a one-entry file is refused before any entry is read
    for (const count of [2 ** 31, 2 ** 32 - 1]) {
      expect(parseGitIndex(indexOf([{ name: 'x.yaml' }], count))).toBeUndefined();
    }
  });

  test('entry names that climb out, are absolute, or hold a NUL never vouch for a file, and nothing they name is opened', () => {
    // GIVEN a work tree below a folder that holds a file `outside.yaml`, and an index whose entries name it (with
    // its very stat data) as `../outside.yaml`, by its absolute path, and through `sub/../`
    const parent = tmpDir('git-hostile-parent-');
    fs.writeFileSync(path.join(parent, 'outside.yaml'), 'o: 1\n');
    const top = path.join(parent, 'top');
    fs.mkdirSync(path.join(top, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(top, 'x.yaml'), 'x: 1\n');
    const past = new Date(Date.now() - 3600_000);
    for (const f of [path.join(parent, 'outside.yaml'), path.join(top, 'x.yaml')]) fs.utimesSync(f, past, past);
    const outside = statOf(path.join(parent, 'outside.yaml'));
    fs.mkdirSync(path.join(top, '.git'));
    const entries: Entry[] = [
      { name: '../outside.yaml', stat: outside }, { name: path.join(parent, 'outside.yaml'), stat: outside },
      { name: 'sub/../../outside.yaml', stat: outside }, { name: 'x.yaml', stat: statOf(path.join(top, 'x.yaml')), oid: OID },
    ];
    fs.writeFileSync(path.join(top, '.git', 'index'), indexOf(entries));
    const parsed = parseGitIndex(fs.readFileSync(path.join(top, '.git', 'index')))!;
    expect([...parsed.paths.keys()]).toEqual(entries.map((e) => e.name)); // read as names, nothing more
    // WHEN the work tree, or a folder below it by a path that climbs, is analyzed
    const real = require('fs') as typeof fs;
    const spies = [jest.spyOn(real, 'openSync'), jest.spyOn(real, 'lstatSync'), jest.spyOn(real, 'statSync')];
    let v: Record<string, string | null>;
    let climbed: Record<string, string | null>;
    try {
      v = vouched([top]);
      climbed = vouched([path.join(top, 'sub', '..')]);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    // THEN only the entry of a file listed vouches for it, and no path the index names outside the tree is looked at
    expect(v).toEqual({ [path.join(top, 'x.yaml')]: OID });
    expect(climbed).toEqual({ [path.join(top, 'x.yaml')]: OID });
    const looked = spies.flatMap((s) => s.mock.calls.map((c) => String(c[0])));
    expect(looked.filter((p) => p.includes('outside'))).toEqual([]);
    // a NUL inside a name (its length says more than the name before the NUL) makes the index unreadable whole
    expect(parseGitIndex(indexOf([{ name: 'x.y\0aml', nameLength: 8 }]))).toBeUndefined();
    expect(parseGitIndex(indexOf([{ name: 'x.yaml\0', nameLength: 7 }]))).toBeUndefined();
  });

  test('an entry whose path is now a link is not vouched for, even with the stat data of the link\'s target', () => {
    const top = tree({ 'target.yaml': 't: 1\n' });
    fs.symlinkSync('target.yaml', path.join(top, 'l.yaml'));
    fs.mkdirSync(path.join(top, '.git'));
    const target = statOf(path.join(top, 'target.yaml'));
    fs.writeFileSync(path.join(top, '.git', 'index'), indexOf([{ name: 'l.yaml', stat: target, oid: OID }, { name: 'target.yaml', stat: target, oid: 'b'.repeat(40) }]));
    expect(vouched([top])).toEqual({ [path.join(top, 'l.yaml')]: null, [path.join(top, 'target.yaml')]: 'b'.repeat(40) });
  });

  withGit('a submodule: the superproject\'s index never vouches for its files; the submodule\'s own does, through its `.git` file', () => {
    const inner = tmpDir('git-hostile-inner-');
    git(inner, 'init', '-q');
    fs.writeFileSync(path.join(inner, 'in.yaml'), 'i: 1\n');
    git(inner, 'add', '-A');
    git(inner, 'commit', '-q', '-m', 'inner');
    const top = tmpDir('git-hostile-super-');
    git(top, 'init', '-q');
    fs.writeFileSync(path.join(top, 'top.yaml'), 't: 1\n');
    git(top, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', inner, 'sub');
    git(top, 'add', '-A');
    git(top, 'commit', '-q', '-m', 'super');
    settle(top);
    settle(path.join(top, 'sub'));
    expect(fs.statSync(path.join(top, 'sub', '.git')).isFile()).toBe(true); // gitdir: ../.git/modules/sub
    const inOid = git(inner, 'rev-parse', 'HEAD:in.yaml').trim();
    const fromTop = vouched([top]);
    expect(fromTop[path.join(top, 'top.yaml')]).toBe(git(top, 'rev-parse', 'HEAD:top.yaml').trim());
    expect(fromTop[path.join(top, 'sub', 'in.yaml')]).toBeNull();
    expect(vouched([path.join(top, 'sub')])[path.join(top, 'sub', 'in.yaml')]).toBe(inOid);
  });

  withGit('roots below a linked folder are vouched for as the work tree they are in; a linked folder inside the tree is not', () => {
    const top = tmpDir('git-hostile-linked-');
    git(top, 'init', '-q');
    fs.mkdirSync(path.join(top, 'd'));
    fs.writeFileSync(path.join(top, 'd', 'b.yaml'), 'b: 1\n');
    const away = tmpDir('git-hostile-away-');
    fs.writeFileSync(path.join(away, 'c.yaml'), 'c: 1\n');
    fs.symlinkSync(away, path.join(top, 'out'));
    git(top, 'add', '-A');
    git(top, 'commit', '-q', '-m', 'x');
    settle(top);
    const oid = git(top, 'rev-parse', 'HEAD:d/b.yaml').trim();
    // the work tree reached through a link to it
    const link = path.join(tmpDir('git-hostile-via-'), 'repo');
    fs.symlinkSync(top, link);
    expect(vouched([path.join(link, 'd')])).toEqual({ [path.join(link, 'd', 'b.yaml')]: oid });
    expect(vouched([link])[path.join(link, 'd', 'b.yaml')]).toBe(oid);
    // a folder of the tree that is a link (git keeps the link, not what is below it): read
    expect(vouched([top])[path.join(top, 'out', 'c.yaml')]).toBeNull();
    expect(vouched([path.join(top, 'out')])).toEqual({ [path.join(top, 'out', 'c.yaml')]: null });
  });
});
