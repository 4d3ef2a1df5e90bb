/**
 * `npm run bench -- --namespaces N [--clusters C] [--json] [--outdir DIR] [--keep]`: synthesizes N ambient
 * namespaces (the seed scenario in each) with the library's GitOpsApp and, in the same run, the same objects with
 * bare cdk8s, each in a child process of its own, into a fresh folder on a RAM file system. Reports wall time,
 * peak RSS, phases, the ratio, and what a re-synth after changing one namespace touches. Then a fleet of C
 * clusters of N namespaces each: its synth, what removing one cluster touches, analyze cluster by cluster and
 * simulate in one cluster. With --json the last line is one object.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { GitOpsApp } from '../src/gitops/gitops-app';
import { loadManifests } from '../src/loader/load';
import { SeedScenario } from '../src/samples/seed-scenario';
import { NS_PLACEHOLDER, namespaceName } from './worker';

interface SideResult {
  readonly wall_ms: number;
  readonly peak_rss_mb: number;
  readonly objects: number;
  readonly [key: string]: unknown;
}

/** The worker next to this file, run the way this process runs (compiled, or through ts-node). */
function runWorker(args: string[]): SideResult {
  const worker = path.join(__dirname, `worker${path.extname(__filename)}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...process.execArgv, worker, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench worker ${args[0]} failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  const lines = r.stdout.trim().split('\n');
  return { wall_ms: Math.round(wall), ...JSON.parse(lines[lines.length - 1]) };
}

/** One namespace of the library's output, as JSON with the namespace name as a placeholder. */
function template(dir: string): string {
  const app = new GitOpsApp({ outdir: dir, argoCd: { repoUrl: 'https://git.example.com/mesh.git' } });
  new SeedScenario(app, NS_PLACEHOLDER, { namespace: NS_PLACEHOLDER });
  process.env.CDK8S_ISTIO_AMBIENT_QUIET = process.env.CDK8S_ISTIO_AMBIENT_QUIET ?? 'BA011';
  app.synth();
  const objects = loadManifests([path.join(dir, NS_PLACEHOLDER)]).objects.map((o) => o.manifest).filter((m) => m.kind !== 'Kustomization');
  const file = path.join(dir, 'template.json');
  fs.writeFileSync(file, JSON.stringify(objects));
  return file;
}

/** The repository root: bench/ runs from the sources (ts-node) or from lib/bench (compiled). */
const REPO = [path.join(__dirname, '..'), path.join(__dirname, '..', '..')].find((d) => fs.existsSync(path.join(d, 'cdk8s.yaml')))!;

/** Wall time of one whole process, in milliseconds; fails with its last stderr lines. */
function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  return Math.round(wall);
}

/**
 * The seed's main job as users run it, each run a whole process: `npm run synth` into a fresh folder, then warm
 * runs over the tree it wrote (what a developer does again and again), and `cdk8s synth` through cdk8s.yaml.
 */
function mainJob(dir: string, warmRuns: number): Record<string, unknown> {
  const env = { GITOPS_OUTDIR: path.join(dir, 'dist'), CDK8S_ISTIO_AMBIENT_QUIET: '1', CDK8S_CHECK_UPGRADE: 'false' };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const first = timeProcess(npm, ['run', '--silent', 'synth'], env);
  const warm = Array.from({ length: warmRuns }, () => timeProcess(npm, ['run', '--silent', 'synth'], env)).sort((a, b) => a - b);
  const cli = timeProcess(path.join(REPO, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '-o', path.join(dir, 'cdk8s.out')], env);
  return { command: 'npm run synth', first_run_ms: first, warm_ms: warm[Math.floor(warm.length / 2)], warm_runs_ms: warm, cdk8s_cli_ms: cli };
}

function ramDir(): string {
  return fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`;
}

const round = (n: number) => Math.round(n * 10) / 10;

function main(argv: string[]): void {
  const program = new Command('bench')
    .option('--namespaces <n>', 'ambient namespaces to synthesize', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
      return n;
    }, 300)
    .option('--json', 'print one JSON object as the last line')
    .option('--outdir <dir>', 'where to create the temporary folder (default: /dev/shm when it exists)')
    .option('--keep', 'keep the synthesized trees')
    .option('--no-bare', 'skip the bare cdk8s side (it is superlinear: about a minute at 3,000 namespaces)')
    .option('--clusters <n>', 'clusters of the fleet run, each with --namespaces namespaces (0 to skip it)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
      return n;
    }, 10)
    .option('--main-job-runs <n>', 'warm runs of the seed main job (npm run synth); the median is reported', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
      return n;
    }, 3)
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const opts = program.opts<{ namespaces: number; clusters: number; json?: boolean; outdir?: string; keep?: boolean; bare: boolean; mainJobRuns: number }>();
  const n = opts.namespaces;
  // warnings would print once per namespace; the bench measures synthesis, not the terminal
  process.env.CDK8S_ISTIO_AMBIENT_QUIET = process.env.CDK8S_ISTIO_AMBIENT_QUIET ?? 'BA011';
  const root = fs.mkdtempSync(path.join(opts.outdir ?? ramDir(), 'cdk8s-istio-ambient-bench-'));
  try {
    const templateFile = template(path.join(root, 'template'));
    const lib = runWorker(['library', String(n), path.join(root, 'library')]);
    // the tree before the change, for the policy diff
    fs.cpSync(path.join(root, 'library'), path.join(root, 'before'), { recursive: true });
    const again = runWorker(['library', String(n), path.join(root, 'library'), 'changed']);
    const toolRun = runWorker(['tools', String(n), path.join(root, 'library')]);
    // a change that opens a door: ns-0 loses its reviews plugin; the diff must find it and nothing else
    fs.rmSync(path.join(root, 'library', namespaceName(0), 'WasmPlugin.basic-auth-for-service.k8s.yaml'));
    const diffRun = runWorker(['diff', String(n), path.join(root, 'before'), path.join(root, 'library')]);
    const bare = opts.bare ? runWorker(['bare', String(n), path.join(root, 'bare'), templateFile]) : undefined;
    const touched = Number(again.files_written) + Number(again.files_removed);
    const fleet = opts.clusters > 0 ? fleetRun(opts.clusters, n, path.join(root, 'fleet')) : null;
    const seed = mainJob(path.join(root, 'seed'), opts.mainJobRuns);

    const result = {
      namespaces: n,
      objects: lib.objects,
      machine: machine(),
      seed_main_job: seed,
      library: { wall_ms: lib.wall_ms, peak_rss_mb: round(lib.peak_rss_mb), phases_ms: roundAll(lib.phases_ms as Record<string, number>) },
      bare_cdk8s: bare ? { wall_ms: bare.wall_ms, peak_rss_mb: round(bare.peak_rss_mb), objects: bare.objects, phases_ms: roundAll(bare.phases_ms as Record<string, number>) } : null,
      speedup: bare ? round(bare.wall_ms / lib.wall_ms) : null,
      resynth_one_namespace_changed: { wall_ms: again.wall_ms, files_touched: touched, files_unchanged: again.files_unchanged },
      analyze: { ms: Math.round((toolRun.analyze as any).ms), findings: (toolRun.analyze as any).findings },
      simulate: {
        load_ms: Math.round((toolRun.simulate as any).load_ms), requests: (toolRun.simulate as any).requests,
        per_request_ms: round((toolRun.simulate as any).per_request_ms),
      },
      fleet,
      diff_one_namespace_changed: {
        wall_ms: diffRun.wall_ms, load_ms: Math.round(Number(diffRun.load_ms)), diff_ms: Math.round(Number(diffRun.diff_ms)),
        requests: diffRun.requests, opened: diffRun.opened, namespaces_simulated: diffRun.namespaces_simulated,
      },
    };
    if (!opts.json || process.stdout.isTTY) {
      const p = result.library.phases_ms;
      process.stdout.write([
        `machine: ${result.machine}; output under ${root}`,
        `seed main job (${seed.command}): ${seed.first_run_ms} ms first run, ${seed.warm_ms} ms warm (median of ${opts.mainJobRuns}); cdk8s synth: ${seed.cdk8s_cli_ms} ms`,
        `namespaces ${n}, objects ${result.objects}`,
        `library:    ${lib.wall_ms} ms wall, ${result.library.peak_rss_mb} MB peak RSS (construct ${p.construct}, render ${p.render}, validate ${p.validate}, write ${p.write} ms)`,
        bare ? `bare cdk8s: ${bare.wall_ms} ms wall, ${result.bare_cdk8s!.peak_rss_mb} MB peak RSS (construct ${result.bare_cdk8s!.phases_ms.construct}, synth ${result.bare_cdk8s!.phases_ms.synth} ms)` : 'bare cdk8s: skipped',
        bare ? `speedup:    ${result.speedup}x` : '',
        `re-synth after changing one namespace: ${again.wall_ms} ms, ${touched} file(s) touched, ${again.files_unchanged} unchanged`,
        `analyze on the output: ${result.analyze.ms} ms (${result.analyze.findings} warnings); simulate: ${result.simulate.load_ms} ms to load, ${result.simulate.per_request_ms} ms a request`,
        fleet ? `fleet: ${fleet.clusters} clusters x ${fleet.namespaces_per_cluster} namespaces, objects ${fleet.objects}: ${fleet.wall_ms} ms (in the process), ${fleet.peak_rss_mb} MB peak RSS (construct ${fleet.phases_ms.construct}, render ${fleet.phases_ms.render}, validate ${fleet.phases_ms.validate}, write ${fleet.phases_ms.write} ms)` : 'fleet: skipped',
        fleet?.remove_one_cluster ? `fleet, one cluster removed: ${fleet.remove_one_cluster.wall_ms} ms, ${fleet.remove_one_cluster.files_removed} file(s) removed, ${fleet.remove_one_cluster.files_written} written, ${fleet.remove_one_cluster.files_unchanged} unchanged` : '',
        fleet ? `fleet analyze (cluster by cluster): ${fleet.analyze.ms} ms (${fleet.analyze.findings} warnings); simulate in one cluster: ${fleet.simulate.load_ms} ms to load, ${fleet.simulate.per_request_ms} ms a request` : '',
        `diff of two trees, one namespace changed: ${diffRun.wall_ms} ms wall (load both ${result.diff_one_namespace_changed.load_ms} ms, diff ${result.diff_one_namespace_changed.diff_ms} ms; ${diffRun.requests} requests in ${diffRun.namespaces_simulated} namespaces, ${diffRun.opened} opened)`,
      ].filter(Boolean).join('\n') + '\n');
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The fleet side: C clusters of N namespaces, then the same program without its last cluster, which must remove
 * exactly that cluster's files and its ApplicationSet and rewrite only the Argo CD kustomization. Its timings
 * are taken inside the worker (one process for the synth, the tools and the second synth).
 */
function fleetRun(clusters: number, n: number, outdir: string) {
  const r = runWorker(['fleet', String(clusters), String(n), outdir]);
  const perCluster = n * 25; // 24 objects and a kustomization.yaml a namespace
  const removed = r.remove_one_cluster as Record<string, number> | null;
  if (removed && (removed.files_removed !== perCluster + 1 || removed.files_written !== 1)) {
    throw new Error(`fleet: removing one cluster removed ${removed.files_removed} and wrote ${removed.files_written} files; expected ${perCluster + 1} removed (its folders and its ApplicationSet) and 1 written (argocd/kustomization.yaml)`);
  }
  const tools = r as any;
  return {
    clusters,
    namespaces_per_cluster: n,
    objects: r.objects,
    wall_ms: Math.round(Number(r.wall_ms)),
    peak_rss_mb: round(r.peak_rss_mb),
    phases_ms: roundAll(r.phases_ms as Record<string, number>),
    remove_one_cluster: removed
      ? { wall_ms: Math.round(removed.wall_ms), files_removed: removed.files_removed, files_written: removed.files_written, files_unchanged: removed.files_unchanged }
      : null,
    analyze: { ms: Math.round(tools.analyze.ms), findings: tools.analyze.findings, clusters: tools.analyze.clusters },
    simulate: { load_ms: Math.round(tools.simulate.load_ms), requests: tools.simulate.requests, per_request_ms: round(tools.simulate.per_request_ms) },
  };
}

function roundAll(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
}

try {
  main(process.argv.slice(2));
} catch (e: any) {
  if (e?.code?.startsWith?.('commander.')) process.exit(e.exitCode === 0 ? 0 : 2);
  process.stderr.write(`bench: ${String(e?.message ?? e).split('\n')[0]}\n`);
  process.exit(1);
}
