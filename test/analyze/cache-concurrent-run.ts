// Run by cache-concurrent.test.ts beside the test's own process, on one cache folder at once: `runs` cached loads,
// alternating between two inputs that share some files, each keyed by options no earlier run had (so each reads the
// kept parses and writes them, and a report, while the other process does the same). The cache's own functions, not
// analyzePaths: loading the rules through ts-node would take seconds. Prints `ready` once loaded (the other process
// starts then), then one JSON line per run: whether the cached load is the uncached one.
import { loadCached, storeReport } from '../../src/analyze/cache';
import { loadManifests } from '../../src/loader/load';

const [cache, runs, ...inputs] = process.argv.slice(2);
process.stdout.write('ready\n');
for (let i = 0; i < Number(runs); i++) {
  const roots = [inputs[i % inputs.length]];
  const c = loadCached(cache, roots, { child: i }, undefined, 0);
  const same = c.load !== undefined && JSON.stringify(c.load) === JSON.stringify(loadManifests(roots, { workerThreads: 0 }));
  if (c.runKey !== undefined) storeReport(cache, c.runKey, { child: i }, c.limit);
  process.stdout.write(`${JSON.stringify({ i, same, objects: c.load?.objects.length })}\n`);
}
