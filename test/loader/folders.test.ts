// makeFolders is `mkdir -p` that always returns: Node 20's recursive mkdirSync spins forever where mkdir says ENOENT
// below a folder that exists (any path in /proc). The real /proc cases run in a child process with a timeout, so a
// return of the loop fails the test instead of hanging the suite.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { makeFolders } from '../../src/loader/folders';
import { ROOT, tmpDir } from '../support';

/** An in-memory file system of folders (and files) under `/`, recording every mkdir. */
function fakeFs(dirs: Iterable<string>, files: Iterable<string> = [], mkdirError?: (p: string) => string | undefined) {
  const d = new Set(['/', ...dirs]);
  const f = new Set(files);
  const calls: Array<[string, unknown]> = [];
  const err = (code: string, p: string) => Object.assign(new Error(`${code}: ${p}`), { code });
  return {
    dirs: d,
    calls,
    fsm: {
      lstatSync: ((p: string) => {
        if (d.has(p) || f.has(p)) return {} as fs.Stats;
        throw err('ENOENT', p);
      }) as any,
      mkdirSync: ((p: string, options?: unknown) => {
        calls.push([p, options]);
        const forced = mkdirError?.(p);
        if (forced) throw err(forced, p);
        if (d.has(p) || f.has(p)) throw err('EEXIST', p);
        const parent = path.posix.dirname(p);
        if (f.has(parent)) throw err('ENOTDIR', p);
        if (!d.has(parent)) throw err('ENOENT', p);
        d.add(p);
      }) as any,
    },
  };
}

describe('makeFolders', () => {
  test('makes each missing folder from the nearest existing one down, never with the recursive option', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 6 }), fc.nat(6), (parts, existing) => {
      const target = `/${parts.join('/')}`;
      const have = parts.slice(0, Math.min(existing, parts.length)).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
      const { dirs, calls, fsm } = fakeFs(have);
      makeFolders(target, fsm, path.posix);
      for (let i = 1; i <= parts.length; i++) expect(dirs.has(`/${parts.slice(0, i).join('/')}`)).toBe(true);
      // one mkdir per missing folder, parents first, none with options
      expect(calls).toEqual(parts.slice(have.length).map((_, k) => [`/${parts.slice(0, have.length + k + 1).join('/')}`, undefined]));
    }));
  });

  test('a folder that mkdir refuses with ENOENT below one that exists (as in /proc) is an error after one call', () => {
    const { calls, fsm } = fakeFs(['/proc'], [], (p) => (p.startsWith('/proc/') ? 'ENOENT' : undefined));
    expect(() => makeFolders('/proc/cache/runs', fsm, path.posix)).toThrow(/ENOENT/);
    expect(calls).toEqual([['/proc/cache', undefined]]);
  });

  test('a file in the way is an error; a folder made meanwhile by someone else is not', () => {
    expect(() => makeFolders('/f/x', fakeFs([], ['/f']).fsm, path.posix)).toThrow(/ENOTDIR/);
    const racing = fakeFs(['/a'], [], (p) => (p === '/a/b' ? 'EEXIST' : undefined)); // another run made it first
    expect(() => makeFolders('/a/b', racing.fsm, path.posix)).not.toThrow();
  });

  test('makes real folders, and leaves an existing one and a link to one as they are', () => {
    const root = tmpDir('folders-');
    try {
      makeFolders(path.join(root, 'x', 'y', 'z'), fs, path);
      expect(fs.statSync(path.join(root, 'x', 'y', 'z')).isDirectory()).toBe(true);
      fs.symlinkSync(path.join(root, 'x'), path.join(root, 'link'));
      makeFolders(path.join(root, 'link', 'y'), fs, path);
      makeFolders(path.join(root, 'link', 'w'), fs, path);
      expect(fs.lstatSync(path.join(root, 'link')).isSymbolicLink()).toBe(true);
      expect(fs.statSync(path.join(root, 'x', 'w')).isDirectory()).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  const onProc = fs.existsSync('/proc/self') ? test : test.skip;
  onProc('below /proc: synth and analyze --cache fail or run uncached, and return', () => {
    const script = `
      require('sucrase/register/ts');
      const { FolderWriter, syncFolder } = require('./src/gitops/writer');
      const tryIt = (write) => { try { write(); console.log('wrote'); } catch (e) { console.log('error: ' + e.message.split('\\n')[0]); } };
      tryIt(() => syncFolder('/proc/cdk8s-istio-ambient-test/out', new Map([['a.yaml', 'x: 1\\n']])));
      // the writer thread GitOpsApp uses
      tryIt(() => { const w = new FolderWriter('/proc/cdk8s-istio-ambient-test/out'); w.put('a.yaml', 'x: 1\\n'); w.finish(); });
      require('./src/cli/program').runCli(['analyze', 'test/fixtures/rules', '--cache', '/proc/cdk8s-istio-ambient-test/cache', '--format', 'json'], { out: () => true, err: (t) => process.stdout.write(t) })
        .then((code) => console.log('analyze exit ' + code));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBeNull(); // killed at the timeout: the loop is back
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatch(/ENOENT.*mkdir '\/proc\/cdk8s-istio-ambient-test'/);
    expect(r.stdout).toMatch(/^analyze exit [01]$/m);
    // the CLI says so, once, and runs uncached
    expect(r.stdout).toContain(`warning: --cache "/proc/cdk8s-istio-ambient-test/cache": cannot be made (ENOENT: mkdir "/proc/cdk8s-istio-ambient-test"), so this run is not cached\n`);
  });
});
