// Two processes on one analyze cache at once (a child, and this one): each writes its kept parses and reports while
// the other reads and writes them. A torn file is never read as valid (each is written to a temporary name and
// renamed, and carries its checksum), and every report of both is the uncached one. Bounded: the child has 60 s, and
// a hung one fails the test. (One child, not two, and it runs the cache's functions without the rules: loading the
// analyzer through ts-node takes seconds.)
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyzePaths } from '../../src/analyze';
import { authPluginYaml, tmpDir } from '../support';

const ROOT = path.join(__dirname, '..', '..');
const LIMIT_MS = 60_000;

/** The child, started; `ready` resolves once it has loaded and starts its runs. */
function child(args: string[]): { ready: Promise<void>; done: Promise<{ code: number | null; out: string; err: string }> } {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => { ready = r; });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, ['-r', 'sucrase/register/ts', path.join(__dirname, 'cache-concurrent-run.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.test.json') }, timeout: LIMIT_MS,
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (out.startsWith('ready\n')) ready();
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => {
      ready(); // (a child that died before it was ready: the checks below say so)
      resolve({ code, out, err });
    });
  });
  return { ready: isReady, done };
}

const PLUGIN = (ns: string, i: number) => authPluginYaml(ns, { name: `auth-${i}`, waypoint: `waypoint-${i}` });

test('two processes on one cache folder at once: every report of both is the uncached one', async () => {
  const base = tmpDir('cache-concurrent-');
  const inputs = ['a', 'b'].map((name) => {
    const dir = path.join(base, name);
    fs.mkdirSync(dir);
    for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(dir, `p${i}.yaml`), PLUGIN(i % 3 === 0 ? 'shared' : name, i));
    return dir;
  });
  const cache = path.join(base, 'cache');
  const runs = 10;
  const other = child([cache, String(runs), ...inputs]);
  await other.ready;
  // this process's runs, while the child makes its own
  const here: boolean[] = [];
  for (let i = 0; i < runs; i++) {
    const roots = [inputs[(i + 1) % 2]];
    const options = { ignore: [{ codes: [`X2${i}`], reason: '' }] };
    here.push(JSON.stringify(analyzePaths(roots, { ...options, cacheDir: cache })) === JSON.stringify(analyzePaths(roots, options)));
  }
  expect(here.every(Boolean)).toBe(true);
  const r = await other.done;
  expect({ code: r.code, err: r.err.slice(0, 500) }).toEqual({ code: 0, err: '' });
  const lines = r.out.split('\n').filter(Boolean).slice(1).map((l) => JSON.parse(l));
  expect(lines).toHaveLength(runs);
  expect(lines.every((l) => l.same && l.objects === 60)).toBe(true);
  // and what they left is a cache: no temporary file, and the next run is answered right
  expect(fs.readdirSync(cache).filter((f) => f.includes('.tmp.'))).toEqual([]);
  expect(fs.readdirSync(path.join(cache, 'runs')).filter((f) => f.includes('.tmp.'))).toEqual([]);
}, LIMIT_MS + 10_000);
