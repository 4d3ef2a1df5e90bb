// Run in a child process by hostile.test.ts: input that once hung the loader (a FIFO, a device, link loops) or
// crashed it (nesting deep enough to overflow the parser's stack), and pipes where the analyze cache keeps files. The child prints one JSON line per finished
// case, so a case that hangs is named by its absence. It loads the loader alone, to start fast.
import * as fs from 'fs';
import * as path from 'path';
import { assembleLoad, listFiles, loadFile, loadManifests, parseManifests, parseYamlDocument } from '../../src/loader/load';
import { loadInParallel } from '../../src/loader/parallel';

const dir = process.argv[2];
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

function write(rel: string, text: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const brief = (r: { objects: unknown[]; errors: Array<{ file: string; line: number; message: string }> }) => ({
  objects: r.objects.length, errors: r.errors.map((e) => `${path.isAbsolute(e.file) ? path.relative(dir, e.file) : e.file}:${e.line}: ${e.message}`),
});

const cases: Record<string, () => unknown> = {
  'FIFO named *.yaml': () => {
    write('fifo/ns.yaml', NS);
    require('child_process').execFileSync('mkfifo', [path.join(dir, 'fifo', 'pipe.yaml')]);
    return [brief(loadManifests([path.join(dir, 'fifo')])), brief(loadManifests([path.join(dir, 'fifo', 'pipe.yaml')]))];
  },
  'device named *.yaml': () => {
    write('dev/ns.yaml', NS);
    fs.symlinkSync('/dev/zero', path.join(dir, 'dev', 'zero.yaml'));
    return brief(loadManifests([path.join(dir, 'dev')]));
  },
  'symbolic link loops': () => {
    write('loop/a/ns.yaml', NS);
    fs.symlinkSync('.', path.join(dir, 'loop', 'a', 'self'));
    fs.symlinkSync('..', path.join(dir, 'loop', 'a', 'up'));
    for (let i = 0; i < 6; i++) fs.symlinkSync('../a', path.join(dir, 'loop', 'a', `back${i}`));
    return brief(loadManifests([path.join(dir, 'loop')]));
  },
  'deep nesting': () => {
    const flow = `${NS}data: {x: ${'['.repeat(3000)}${']'.repeat(3000)}}\n`;
    const block = `${NS}data:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')} x\n`;
    // the same input twice: a stack overflow inside the parser once broke the next parse
    return [brief(parseManifests(flow, 'flow.yaml')), brief(parseManifests(block, 'block.yaml')), brief(parseManifests(flow, 'flow.yaml')),
      parseYamlDocument(`- ${'['.repeat(3000)}\n`, 'checks.yaml')];
  },
  'every limit on a worker thread': () => {
    // each hostile input of the cases above and of limits.test.ts, in one folder, read by a worker alone
    write('all/ns.yaml', NS);
    require('child_process').execFileSync('mkfifo', [path.join(dir, 'all', 'pipe.yaml')]);
    fs.symlinkSync('/dev/zero', path.join(dir, 'all', 'zero.yaml'));
    fs.symlinkSync('.', path.join(dir, 'all', 'self'));
    fs.symlinkSync('nowhere.yaml', path.join(dir, 'all', 'dangling.yaml'));
    write('all/flow.yaml', `${NS}data: {x: ${'['.repeat(3000)}${']'.repeat(3000)}}\n`);
    write('all/block.yaml', `${NS}data:\n${Array.from({ length: 120 }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')} x\n`);
    const bomb = Array.from({ length: 9 }, (_, i) => `  a${i}: &a${i} [${Array(10).fill(i === 0 ? '"lol"' : `*a${i - 1}`).join(',')}]`).join('\n');
    write('all/bomb.yaml', `${NS}data:\n${bomb}\n`);
    write('all/big.yaml', `${NS}data: {x: "${'x'.repeat(12_000)}"}\n`);
    write('all/dup.yaml', `${NS}metadata: {name: again}\n`);
    fs.writeFileSync(path.join(dir, 'all', 'latin1.yaml'), Buffer.concat([Buffer.from(NS), Buffer.from([0x64, 0x3a, 0x20, 0xe9, 0x0a])]));
    const listed = listFiles([path.join(dir, 'all')]);
    const single = loadManifests([path.join(dir, 'all')], { workerThreads: 0, maxFileBytes: 10_000 });
    const outcomes = loadInParallel(listed.files, 10_000, 1, loadFile, { leaveChunksToWorkers: true });
    if (!outcomes) throw new Error('no worker thread started');
    const onWorker = assembleLoad(listed.files, listed.errors, outcomes);
    return { same: JSON.stringify(onWorker) === JSON.stringify(single), single: brief(single), onWorker: brief(onWorker) };
  },
  'FIFOs in the analyze cache': () => {
    // loaded here only: the other cases load the loader alone
    const { analyzePaths } = require('../../src/analyze') as typeof import('../../src/analyze');
    const input = path.dirname(write('cached/in/ns.yaml', NS));
    const cache = path.join(dir, 'cached', 'cache');
    const plain = JSON.stringify(analyzePaths([input]));
    analyzePaths([input], { cacheDir: cache }); // fills it: the kept parses and the run's report
    const pipes = [...fs.readdirSync(cache).filter((f) => f.startsWith('files-')).map((f) => path.join(cache, f)),
      ...fs.readdirSync(path.join(cache, 'runs')).map((f) => path.join(cache, 'runs', f))];
    for (const p of pipes) {
      fs.rmSync(p);
      require('child_process').execFileSync('mkfifo', [p]);
    }
    const withPipes = JSON.stringify(analyzePaths([input], { cacheDir: cache }));
    return { pipes: pipes.length, same: withPipes === plain };
  },
};

for (const [name, run] of Object.entries(cases)) {
  const started = Date.now();
  try {
    const result = run();
    process.stdout.write(`${JSON.stringify({ name, ms: Date.now() - started, result })}\n`);
  } catch (e: any) {
    process.stdout.write(`${JSON.stringify({ name, crash: String(e?.stack ?? e) })}\n`);
  }
}
