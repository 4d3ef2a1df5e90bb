// The GitOps writer (docs/limits.md): it owns the files in its record and touches nothing else, never follows
// a link, checks every path before it writes, stages every file and renames, and notices a dead worker.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { GitOpsApp } from '../../src';
import { FolderWriter, RECORD_FILE, TEMP_PREFIX, WriterFs, caseFolding, checkPaths, syncFolder, workerSource } from '../../src/gitops/writer';

const made: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'writer-'));
  made.push(d);
  return d;
};
afterAll(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

/** Every file under `dir` (relative path → content), links as `-> target`, never followed. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(path.join(dir, r))}`;
      else if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

const recordOf = (dir: string) => fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const temps = (t: Record<string, string>) => Object.keys(t).filter((f) => f.split('/').some((s) => s.startsWith(TEMP_PREFIX)));

/** A small app: one chart of ConfigMaps, named as given. */
function app(outdir: string, names: string[], data = 'v1', argo = false): GitOpsApp {
  const a = new GitOpsApp({ outdir, ...(argo ? { argoCd: { repoUrl: 'https://git.example.com/x.git' } } : {}) });
  const c = new Chart(a, 'app');
  for (const n of names) new ApiObject(c, n, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { v: data } });
  return a;
}

describe('GitOps writer: ownership', () => {
  test('removes only the files it wrote: a hand-made kustomization, a Secret, another project\'s files stay', () => {
    // GIVEN a synthesized tree, and the user's files beside and inside it
    const outdir = tmp();
    app(outdir, ['a', 'b']).synth();
    const mine = {
      'kustomization.yaml': 'resources: [app]\n',
      'mine/kustomization.yaml': 'kind: Kustomization\n',
      'app/Secret.db.k8s.yaml': 'kind: Secret\n',
      'Other.project.k8s.yaml': 'other project\n',
      'README.md': 'mine\n',
    };
    for (const [f, c] of Object.entries(mine)) {
      fs.mkdirSync(path.dirname(path.join(outdir, f)), { recursive: true });
      fs.writeFileSync(path.join(outdir, f), c);
    }

    // WHEN an object goes away
    const next = app(outdir, ['a']);
    next.synth();

    // THEN its file goes, and every file of the user's stays as it was
    const t = tree(outdir);
    expect(t['app/ConfigMap.b.k8s.yaml']).toBeUndefined();
    for (const [f, c] of Object.entries(mine)) expect(t[f]).toBe(c);
    expect(next.lastSynth).toMatchObject({ filesRemoved: 1 });
    expect(recordOf(outdir)).toEqual(['app/ConfigMap.a.k8s.yaml', 'app/kustomization.yaml']);
  });

  test('fails, changing nothing, when a file it did not write is where it must write', () => {
    const outdir = tmp();
    fs.mkdirSync(path.join(outdir, 'app'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'app', 'kustomization.yaml'), 'hand-made\n');
    const before = tree(outdir);
    expect(() => app(outdir, ['a']).synth()).toThrow(
      `GitOpsApp: writing ${outdir} failed: ${path.join(outdir, 'app', 'kustomization.yaml')} exists and the writer did not write it (it is not in ${RECORD_FILE}): move it out of the output folder, or delete it to let the writer write it; nothing in it was changed`);
    expect(tree(outdir)).toEqual(before);
  });

  test('takes over a tree written without a record (an older version, or cdk8s synth) when its files are what it would write', () => {
    // GIVEN a tree as the previous version wrote it: the same files, no record
    const outdir = tmp();
    app(outdir, ['a', 'b']).synth();
    fs.rmSync(path.join(outdir, RECORD_FILE));
    const mtime = fs.statSync(path.join(outdir, 'app', 'ConfigMap.a.k8s.yaml')).mtimeMs;

    // WHEN the app runs on it
    const again = app(outdir, ['a', 'b']);
    again.synth();

    // THEN nothing is rewritten, and the record is written
    expect(again.lastSynth).toMatchObject({ filesWritten: 0, filesUnchanged: 3, filesRemoved: 0 });
    expect(fs.statSync(path.join(outdir, 'app', 'ConfigMap.a.k8s.yaml')).mtimeMs).toBe(mtime);
    expect(recordOf(outdir)).toEqual(['app/ConfigMap.a.k8s.yaml', 'app/ConfigMap.b.k8s.yaml', 'app/kustomization.yaml']);

    // AND without a record, files that differ are not its own: refused, nothing changed
    fs.rmSync(path.join(outdir, RECORD_FILE));
    const before = tree(outdir);
    expect(() => app(outdir, ['a', 'b'], 'v2').synth()).toThrow(/ConfigMap\.a\.k8s\.yaml exists and the writer did not write it/);
    expect(tree(outdir)).toEqual(before);
  });

  test('fails on a damaged record instead of following it out of the tree', () => {
    const outdir = tmp();
    app(outdir, ['a']).synth();
    fs.appendFileSync(path.join(outdir, RECORD_FILE), '../../etc/passwd\n');
    expect(() => app(outdir, []).synth()).toThrow(/\.owned-by-cdk8s-istio-ambient is damaged: "\.\.\/\.\.\/etc\/passwd" has an empty, "\." or "\.\." part; restore it from Git/);
  });

  test('a damaged record is what it reports, before what a file put after it finds, on this thread and on the worker', () => {
    const outdir = tmp();
    app(outdir, ['a']).synth();
    fs.writeFileSync(path.join(outdir, 'mine.yaml'), 'a file the writer did not write\n');
    fs.appendFileSync(path.join(outdir, RECORD_FILE), '../../etc/passwd\n');
    const before = tree(outdir);
    const damaged = /\.owned-by-cdk8s-istio-ambient is damaged: "\.\.\/\.\.\/etc\/passwd" has an empty/;
    // the record's entries are checked when the writer has time, and whole before anything is replaced
    expect(() => syncFolder(outdir, new Map([['mine.yaml', 'other\n']]))).toThrow(damaged);
    expect(() => syncFolder(outdir, new Map([['mine.yaml', 'other\n']]), fs, undefined, 1)).toThrow(damaged);
    const w = new FolderWriter(outdir);
    w.put('mine.yaml', 'other\n');
    expect(() => w.finish()).toThrow(damaged);
    expect(tree(outdir)).toEqual(before);
  });

  test('what the writer checks while it waits changes no outcome (property: any files, any record, checks between any of them)', () => {
    const name = fc.constantFrom('a', 'A', 'b', 'con', 'x.', 'é', 'e\u0301', '..', 'sub');
    const rel = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
    fc.assert(fc.property(fc.uniqueArray(rel, { maxLength: 6 }), fc.array(rel, { maxLength: 3 }), fc.integer({ min: 1, max: 4 }), (put, recorded, every) => {
      const outcome = (idle?: number) => {
        const outdir = tmp();
        fs.writeFileSync(path.join(outdir, RECORD_FILE), [...recorded, ''].join('\n'));
        try {
          const counts = syncFolder(outdir, new Map(put.map((p) => [p, `${p}\n`])), fs, 7, idle);
          return { counts, files: tree(outdir) };
        } catch (e) {
          return { error: String(e instanceof Error ? e.message : e).split(outdir).join('<out>'), files: tree(outdir) };
        }
      };
      expect(outcome(every)).toEqual(outcome());
    }), { numRuns: 150 });
  });

  test('the record is sorted, one path per line, and the same on every run', () => {
    const outdir = tmp();
    app(outdir, ['z', 'a', 'm']).synth();
    const first = fs.readFileSync(path.join(outdir, RECORD_FILE), 'utf8');
    expect(first).toBe([
      '# cdk8s-istio-ambient GitOpsApp: the files it wrote here, the only ones it replaces or removes.',
      '# Keep this file in Git beside them; see docs/limits.md.',
      'app/ConfigMap.a.k8s.yaml', 'app/ConfigMap.m.k8s.yaml', 'app/ConfigMap.z.k8s.yaml', 'app/kustomization.yaml', '',
    ].join('\n'));
    app(outdir, ['m', 'z', 'a']).synth();
    expect(fs.readFileSync(path.join(outdir, RECORD_FILE), 'utf8')).toBe(first);
  });
});

describe('GitOps writer: symbolic links', () => {
  test('refuses a linked folder and a linked file, writing nothing outside the tree or through the link', () => {
    const root = tmp();
    const outdir = path.join(root, 'out');
    app(outdir, ['curl'], 'v1', true).synth();
    fs.mkdirSync(path.join(root, 'outside'));
    fs.rmSync(path.join(outdir, 'argocd'), { recursive: true });
    fs.symlinkSync('../outside', path.join(outdir, 'argocd'));
    fs.writeFileSync(path.join(root, 'victim.txt'), 'victim\n');
    const before = tree(outdir);

    const again = () => app(outdir, ['curl'], 'v1', true).synth();
    expect(again).toThrow(`${path.join(outdir, 'argocd')} is a symbolic link; the writer never follows links in its output tree: replace it with a folder, or write to another folder; nothing in it was changed`);
    expect(fs.readdirSync(path.join(root, 'outside'))).toEqual([]);

    fs.rmSync(path.join(outdir, 'argocd'));
    fs.rmSync(path.join(outdir, 'app', 'ConfigMap.curl.k8s.yaml'));
    fs.symlinkSync('../../victim.txt', path.join(outdir, 'app', 'ConfigMap.curl.k8s.yaml'));
    expect(again).toThrow(/app\/ConfigMap\.curl\.k8s\.yaml is a symbolic link; the writer never follows links in its output tree \(writing would overwrite what it points to\): remove the link/);
    expect(fs.readFileSync(path.join(root, 'victim.txt'), 'utf8')).toBe('victim\n');
    expect(temps(tree(outdir))).toEqual([]);
    // THEN the tree is what the user left: every file as it was, the link in place
    const { argocd: _link, ...rest } = before;
    expect(tree(outdir)).toEqual({ ...rest, 'app/ConfigMap.curl.k8s.yaml': '-> ../../victim.txt' });
  });

  test('refuses a linked record, and a pipe where a file goes; the output folder itself may be a link', () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync('real', path.join(root, 'out'));
    app(path.join(root, 'out'), ['a']).synth(); // followed once, deliberately
    expect(recordOf(path.join(root, 'real'))).toEqual(['app/ConfigMap.a.k8s.yaml', 'app/kustomization.yaml']);

    fs.renameSync(path.join(root, 'real', RECORD_FILE), path.join(root, 'elsewhere'));
    fs.symlinkSync('../elsewhere', path.join(root, 'real', RECORD_FILE));
    expect(() => app(path.join(root, 'out'), ['a']).synth()).toThrow(/\.owned-by-cdk8s-istio-ambient is not a regular file; the writer never follows links/);

    const fifoOut = tmp();
    fs.mkdirSync(path.join(fifoOut, 'app'));
    require('child_process').execFileSync('mkfifo', [path.join(fifoOut, 'app', 'ConfigMap.a.k8s.yaml')]);
    expect(() => app(fifoOut, ['a']).synth()).toThrow(/ConfigMap\.a\.k8s\.yaml is not a regular file \(a pipe, socket or device\); move it away/);
  });
});

describe('GitOps writer: paths are checked before anything is written', () => {
  test('a 300-character name fails naming the construct and the limit, and nothing is written', () => {
    const outdir = tmp();
    const a = app(outdir, ['a', 'b']);
    new ApiObject(a.node.findChild('app') as Chart, 'long', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x'.repeat(300) } });
    expect(() => a.synth()).toThrow(/^GitOpsApp: app\/long: metadata\.name: the file name app\/ConfigMap\.x+\.\.\. would be 319 bytes, more than the 255 file systems allow \(got a name of 300 characters\); shorten the name to at most 236 characters$/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('names that differ only in case fail before anything is written, in the app and against what is there', () => {
    const outdir = tmp();
    expect(() => app(outdir, ['Config', 'config']).synth()).toThrow(/app\/config and app\/Config would be written to app\/ConfigMap\.Config\.k8s\.yaml and app\/ConfigMap\.config\.k8s\.yaml, which differ only in case/);
    expect(fs.readdirSync(outdir)).toEqual([]);

    // a folder of the user's that differs from a folder of ours only in case
    fs.mkdirSync(path.join(outdir, 'App'));
    fs.writeFileSync(path.join(outdir, 'App', 'notes.txt'), 'mine');
    expect(() => app(outdir, ['a']).synth()).toThrow(new RegExp(`${path.join(outdir, 'app').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and .*App differ only in case`));
    expect(tree(outdir)).toEqual({ 'App/notes.txt': 'mine' });
  });

  test('checkPaths names each path a file system refuses', () => {
    const check = (...p: string[]) => checkPaths(p, '/out', path);
    expect(check('a/ConfigMap.x.k8s.yaml', 'b/kustomization.yaml')).toBeUndefined();
    expect(check('a/B.yaml', 'a/b.yaml')).toBe('"a/b.yaml" and "a/B.yaml" differ only in case: on macOS and Windows they are the same file');
    expect(check('A/x', 'a/y')).toBe('"a/y" and "A" differ only in case: on macOS and Windows they are the same folder');
    expect(check('aux/x')).toMatch(/"aux" is a device name on Windows/);
    expect(check('a/NUL.k8s.yaml')).toMatch(/is a device name on Windows/);
    expect(check(`a/${'é'.repeat(128)}`)).toMatch(/is 256 bytes, more than the 255 file systems allow/);
    expect(check(`${'d/'.repeat(2100)}x`)).toMatch(/the full path is \d+ bytes, more than the 4,095 Linux allows/);
    for (const bad of ['../x', '/x', 'a//b', 'a/./b', 'a/.hidden', 'a/b.', 'a/b ', 'a/b:c', 'a\\b']) expect(check(bad)).toBeDefined();
  });

  test('checkPaths folds names as macOS and Windows do: NFC, then lower case (property, against folded copies of every name)', () => {
    // what checkPaths did before it compared names without folded copies: a map from each folded name to the first
    const reference = (rels: readonly string[]): string | undefined => {
      const fold = (p: string) => (/^[\x20-\x7e]*$/.test(p) ? p : p.normalize('NFC')).toLowerCase();
      const folded = new Map<string, string>();
      const seen = new Set<string>();
      for (const rel of rels) {
        const parts = rel.split('/');
        for (let i = 1; i <= parts.length; i++) {
          const prefix = parts.slice(0, i).join('/');
          const last = i === parts.length;
          if (!last && seen.has(prefix)) continue;
          const other = folded.get(fold(prefix));
          if (other !== undefined && other !== prefix) return `${JSON.stringify(rel)} and ${JSON.stringify(other)} differ only in case: on macOS and Windows they are the same ${last ? 'file' : 'folder'}`;
          folded.set(fold(prefix), prefix);
          if (!last) seen.add(prefix);
        }
      }
      return undefined;
    };
    // letters whose folds meet: cases, the Kelvin sign (NFC: K), a decomposed é (NFC: é), the capital sharp s
    const letter = fc.constantFrom('a', 'A', 'b', 'B', 'k', 'K', '\u212a', '\u00e9', '\u00c9', 'e\u0301', '\u00df', '\u1e9e', '1');
    const name = fc.array(letter, { minLength: 1, maxLength: 3 }).map((l) => l.join(''));
    const rel = fc.array(name, { minLength: 1, maxLength: 3 }).map((n) => n.join('/'));
    // the answer is the same whatever the hash's seed (random per call by default)
    fc.assert(fc.property(fc.array(rel, { minLength: 1, maxLength: 12 }), fc.integer(), (rels, seed) => {
      expect(checkPaths(rels, '/out', path, seed)).toBe(reference(rels));
    }), { numRuns: 2000 });
  });

  test('checkPaths tells apart names whose folded forms share a hash (FNV-1a 32 from its usual basis: yaczfa and glbppa)', () => {
    const BASIS = 0x811c9dc5;
    const check = (...p: string[]) => checkPaths(p, '/out', path, BASIS);
    // the premise: the two names share checkPaths' hash (were it changed, this pair would no longer test its buckets)
    const fnv = (f: string) => [...f].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), BASIS);
    expect(fnv('yaczfa.k8s.yaml')).toBe(fnv('glbppa.k8s.yaml'));
    expect(check('yaczfa.k8s.yaml', 'glbppa.k8s.yaml')).toBeUndefined();
    expect(check('yaczfa.k8s.yaml', 'glbppa.k8s.yaml', 'GLBPPA.k8s.yaml')).toBe('"GLBPPA.k8s.yaml" and "glbppa.k8s.yaml" differ only in case: on macOS and Windows they are the same file');
    expect(check('yaczfa.k8s.yaml', 'glbppa.k8s.yaml', 'Yaczfa.k8s.yaml')).toBe('"Yaczfa.k8s.yaml" and "yaczfa.k8s.yaml" differ only in case: on macOS and Windows they are the same file');
    expect(check('yaczfa.k8s.yaml', 'yaczfa.k8s.yaml')).toBeUndefined(); // one path twice is one file
  });

  test('caseFolding: names hash alike when they fold alike, and `same` is the folded comparison, whatever the seed (property)', () => {
    const fold = (p: string) => (/^[\x20-\x7e]*$/.test(p) ? p : p.normalize('NFC')).toLowerCase();
    const letter = fc.constantFrom('a', 'A', 'k', 'K', '\u212a', '\u00e9', '\u00c9', 'e\u0301', '\u00df', '\u1e9e', '.', '-');
    const name = fc.array(letter, { minLength: 0, maxLength: 4 }).map((l) => l.join(''));
    fc.assert(fc.property(name, name, fc.integer(), (a, b, seed) => {
      const folding = caseFolding(seed);
      expect(folding.same(a, b)).toBe(fold(a) === fold(b));
      if (fold(a) === fold(b)) expect(folding.hash(a)).toBe(folding.hash(b));
    }), { numRuns: 2000 });
  });

  test('the writer tells a name of the folder from a new one that shares its hash, and from one that differs only in case', () => {
    const BASIS = 0x811c9dc5;
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'yaczfa.k8s.yaml'), 'mine\n');
    expect(syncFolder(dir, new Map([['glbppa.k8s.yaml', 'x\n']]), fs, BASIS)).toEqual({ written: 1, unchanged: 0, removed: 0 });
    fs.writeFileSync(path.join(dir, 'GLBPPA2.k8s.yaml'), 'mine\n');
    expect(() => syncFolder(dir, new Map([['glbppa2.k8s.yaml', 'x\n']]), fs, BASIS)).toThrow(/glbppa2\.k8s\.yaml and .*GLBPPA2\.k8s\.yaml differ only in case/);
  });
});

/** A file system that fails at its k-th operation: once (then cleanup runs), from then on (a crash), or mid-write. */
function faulty(k: number, mode: 'once' | 'crash' | 'torn'): WriterFs {
  let n = 0;
  const wrap = <F extends (...args: any[]) => any>(name: string, f: F): F => ((...args: any[]) => {
    const i = n++;
    if ((mode === 'crash' && i >= k) || i === k) {
      if (mode === 'torn' && name === 'writeFileSync' && typeof args[1] === 'string') {
        // a disk that fills up part way: half the bytes land, then the write fails
        fs.writeFileSync(args[0], args[1].slice(0, Math.floor(args[1].length / 2)), args[2]);
      }
      throw Object.assign(new Error(`ENOSPC: no space left on device, ${name}`), { code: 'ENOSPC' });
    }
    return f(...args);
  }) as F;
  return {
    readdirSync: wrap('readdirSync', fs.readdirSync), readFileSync: wrap('readFileSync', fs.readFileSync), writeFileSync: wrap('writeFileSync', fs.writeFileSync),
    renameSync: wrap('renameSync', fs.renameSync), rmSync: wrap('rmSync', fs.rmSync), rmdirSync: wrap('rmdirSync', fs.rmdirSync),
    mkdirSync: wrap('mkdirSync', fs.mkdirSync), lstatSync: wrap('lstatSync', fs.lstatSync), realpathSync: wrap('realpathSync', fs.realpathSync),
  } as WriterFs;
}

describe('GitOps writer: failures leave every file old or new, and the next run repairs the tree', () => {
  const PATHS = ['a/x.k8s.yaml', 'a/y.k8s.yaml', 'b/x.k8s.yaml', 'b/c/z.k8s.yaml', 'top.k8s.yaml', 'a/kustomization.yaml'];
  const USER = { 'README.md': 'mine\n', 'a/user.txt': 'mine too\n', 'd/other.k8s.yaml': 'another project\n' };
  const version = fc.dictionary(fc.constantFrom(...PATHS), fc.string({ minLength: 1, maxLength: 40 }), { minKeys: 0, maxKeys: PATHS.length });

  test('a fault at any file operation, once, for good (kill -9) or mid-write (disk full)', () => {
    fc.assert(fc.property(version, version, fc.nat({ max: 60 }), fc.constantFrom('once' as const, 'crash' as const, 'torn' as const), (oldV, newV, k, mode) => {
      const dir = tmp();
      try {
        const old = new Map(Object.entries(oldV));
        const neu = new Map(Object.entries(newV));
        syncFolder(dir, old);
        for (const [f, c] of Object.entries(USER)) {
          fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
          fs.writeFileSync(path.join(dir, f), c);
        }
        const before = tree(dir);
        let failed = false;
        let treeChanged = false;
        try {
          syncFolder(dir, neu, faulty(k, mode));
        } catch (e: any) {
          failed = true;
          treeChanged = e.treeChanged;
        }
        // THEN every file is whole: its old content or its new one (or absent where one of them is)
        const t = tree(dir);
        for (const [f, c] of Object.entries(USER)) expect(t[f]).toBe(c);
        for (const p of PATHS) {
          const states = [old.get(p), neu.get(p)];
          expect(states).toContain(t[p]);
        }
        for (const f of Object.keys(t)) {
          if (f in USER || PATHS.includes(f) || f === RECORD_FILE) continue;
          // only our leftovers: a staged file, or a file in a new folder staged whole
          expect(f.split('/').some((s) => s.startsWith(TEMP_PREFIX))).toBe(true);
        }
        if (!failed) expect(temps(t)).toEqual([]);
        // a fault the writer survives (not a crash) before the renames leaves the tree as it was, nothing staged
        if (failed && !treeChanged && mode !== 'crash') expect(t).toEqual(before);

        // AND the next run brings the tree to exactly the new version, leftovers gone, the user's files kept
        syncFolder(dir, neu);
        const after = tree(dir);
        const expected: Record<string, string> = { ...USER, ...Object.fromEntries(neu) };
        const { [RECORD_FILE]: record, ...rest } = after;
        expect(rest).toEqual(expected);
        expect(record.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([...neu.keys()].sort());
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }), {
      numRuns: Number(process.env.FC_RUNS ?? 60),
      // always among the runs: a fault that leaves a/y, a file only the old version has, behind; the next run
      // removes it only if the write-ahead record named it (a record of the new files alone fails here)
      examples: [[{ 'a/x.k8s.yaml': ' ', 'a/y.k8s.yaml': ' ' }, { 'b/c/z.k8s.yaml': ' ', 'a/x.k8s.yaml': '!' }, 12, 'once']],
    });
  });

  test('a failure before the renames leaves the tree exactly as it was, with nothing staged left', () => {
    const dir = tmp();
    syncFolder(dir, new Map([['a/x.k8s.yaml', 'old'], ['a/y.k8s.yaml', 'old']]));
    const before = tree(dir);
    // the fourth writeFileSync is the third staged file of the new version
    let writes = 0;
    const fsm = { ...fs, writeFileSync: (...args: any[]) => {
      if (++writes === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (fs.writeFileSync as any)(...args);
    } } as WriterFs;
    expect(() => syncFolder(dir, new Map([['a/x.k8s.yaml', 'new'], ['a/y.k8s.yaml', 'new'], ['b/z.k8s.yaml', 'new']]), fsm)).toThrow(/ENOSPC/);
    expect(tree(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'b'))).toBe(false);
  });
});

describe('GitOps writer: the worker thread', () => {
  const files = (n: number) => Array.from({ length: n }, (_, i) => [`app/f${i}.k8s.yaml`, `n: ${i}\n`] as [string, string]);

  test('writes on the worker, and says what it did', () => {
    const dir = tmp();
    const w = new FolderWriter(dir);
    for (const [f, c] of files(600)) w.put(f, c);
    expect(w.finish()).toEqual({ written: 600, unchanged: 0, removed: 0 });
    expect(recordOf(dir)).toHaveLength(600);
  });

  test('falls back to this thread at once when the worker dies before it starts (as under jest --coverage)', () => {
    // GIVEN a worker whose code is instrumented: it calls a coverage counter that does not exist in the thread
    const dir = tmp();
    const started = Date.now();
    const w = new FolderWriter(dir, { workerSource: workerSource('function () { cov_2hjk3z().f[0]++; }'), startMs: 20_000 });
    for (const [f, c] of files(10)) w.put(f, c);
    // THEN the files are written all the same, without waiting for the start timeout
    expect(w.finish()).toEqual({ written: 10, unchanged: 0, removed: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('fails within seconds, with a clear error, when the worker exits or stops mid-way', () => {
    for (const main of [
      // exits after it started
      'function (port, data, state) { Atomics.store(state, 5, 1); Atomics.notify(state, 5); port.on("message", () => process.exit(3)); }',
      // hangs after it started: no heartbeat
      'function (port, data, state) { Atomics.store(state, 5, 1); Atomics.notify(state, 5); port.on("message", () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)); }',
    ]) {
      const dir = tmp();
      const started = Date.now();
      const w = new FolderWriter(dir, { workerSource: workerSource(main), stallMs: 500 });
      for (const [f, c] of files(10)) w.put(f, c);
      expect(() => w.finish()).toThrow(new RegExp(`^GitOpsApp: writing ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed: the writer thread (exited before it finished|stopped \\(no sign of life for 1 s\\)); nothing in it was changed$`));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(fs.existsSync(path.join(dir, 'app', 'f0.k8s.yaml'))).toBe(false);
    }
  });

  test('an abort after files were put removes what was staged: new folders and changed files', () => {
    const dir = tmp();
    syncFolder(dir, new Map([['old/a.k8s.yaml', 'old']]));
    const before = tree(dir);
    const w = new FolderWriter(dir);
    // the worker is up (its READY slot, 5, is set), so batches go to it at once and files are staged before
    // abort(); or it died at start (DONE, 0, set: under coverage), and put() stages on this thread
    const state: Int32Array = (w as any).state;
    for (let i = 0; i < 100 && Atomics.load(state, 5) !== 1 && Atomics.load(state, 0) === 0; i++) Atomics.wait(state, 5, 0, 100);
    for (const [f, c] of files(700)) w.put(f, c);
    w.put('old/a.k8s.yaml', 'new');
    w.abort();
    expect(tree(dir)).toEqual(before);
  });

  test('reports a failure on the worker the same way as on this thread', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app', 'f3.k8s.yaml'), 'hand-made');
    const w = new FolderWriter(dir);
    for (const [f, c] of files(600)) w.put(f, c);
    expect(() => w.finish()).toThrow(/app\/f3\.k8s\.yaml exists and the writer did not write it .*; nothing in it was changed$/);
    expect(tree(dir)).toEqual({ 'app/f3.k8s.yaml': 'hand-made' });
  });
});
