/**
 * Measures `analyze` at scale: writes the seed scenario into N namespaces (default 3,000, about 70,000 objects)
 * and times loading, model + rules, and the whole analyzePaths call.
 *
 *   npx ts-node -T scripts/analyze-scale.ts [--namespaces 3000] [--layout file-per-namespace|file-per-resource] [--dir DIR]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeObjects, analyzePaths, exitCodeOf } from '../src/analyze';
import { loadManifests } from '../src/loader/load';
import { SeedLayout, writeSeedManifests } from './scale/seed-manifests';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function ms(start: bigint): number {
  return Number((process.hrtime.bigint() - start) / 1000000n);
}

const namespaces = Number(arg('namespaces', '3000'));
const layout = arg('layout', SeedLayout.FILE_PER_NAMESPACE) as SeedLayout;
const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const dir = arg('dir', path.join(base, `cdk8s-istio-ambient-scale-${process.pid}`));

let t = process.hrtime.bigint();
const stats = writeSeedManifests({ namespaces, outDir: dir, layout });
console.log(`generated ${stats.objects} objects in ${stats.files} files (${(stats.bytes / 1e6).toFixed(1)} MB, ${layout}) under ${dir} in ${ms(t)} ms`);

t = process.hrtime.bigint();
const loaded = loadManifests([dir]);
const loadMs = ms(t);
t = process.hrtime.bigint();
const findings = analyzeObjects(loaded.objects);
const rulesMs = ms(t);
console.log(`load: ${loadMs} ms for ${loaded.objects.length} objects; model + rules + sort: ${rulesMs} ms; ${findings.length} findings`);

t = process.hrtime.bigint();
const result = analyzePaths([dir]);
const totalMs = ms(t);
console.log(`analyzePaths: ${totalMs} ms, ${result.summary.objects} objects, ${result.summary.errors} errors, ${result.summary.warnings} warnings, exit ${exitCodeOf(result)}`);
if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
