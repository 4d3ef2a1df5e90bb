/**
 * `npm run bench -- --namespaces N [--clusters C] [--json] [--outdir DIR] [--keep] [--no-bare]` and
 * `npm run bench -- --scaling 1000,3000,10000 [--json]`: synthesizes N ambient namespaces (the seed scenario in
 * each) with the library's GitOpsApp and, in the same run, the same objects with bare cdk8s, each in a child
 * process of its own, into a fresh folder on a RAM file system. Reports wall time, peak RSS, every phase, the
 * write floor (the same files written from memory), the ratio, a re-synth after changing one namespace, analyze
 * (in the process, and as CLI runs without and with a cache) and simulate's load. Then a fleet of C clusters of N
 * namespaces each: its synth, what removing one cluster touches, analyze cluster by cluster and simulate in one
 * cluster. `--scaling` measures the core figures at each size and how they grow. With --json the last line is one
 * object.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { GitOpsApp } from '../src/gitops/gitops-app';
import { loadManifests } from '../src/loader/load';
import { SeedScenario } from '../src/samples/seed-scenario';
import { goalLines, judgeGoals } from './goals';
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

/** Runs the CLI as a user would (a process of its own) and times it; its report is checked by the caller. */
function runCli(args: string[]): { wall_ms: number; stdout: string; status: number | null } {
  const cli = path.join(__dirname, '..', 'src', 'cli', `main${path.extname(__filename)}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...process.execArgv, cli, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { wall_ms: Math.round(performance.now() - t0), stdout: r.stdout, status: r.status };
}

/**
 * Makes `dir` a git work tree with every file in its index (`git init`, `git add`; no commit is needed for the index
 * to hold each file's object id and stat data), with no configuration of the machine's; false without git.
 */
function gitWorkTree(dir: string): boolean {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const init = spawnSync('git', ['init', '-q'], { cwd: dir, env });
  if (init.status !== 0) return false;
  return spawnSync('git', ['add', '-A'], { cwd: dir, env }).status === 0;
}

/** What one size measures: synth and its phases, the write floor, a re-synth, analyze (cold and cached), simulate. */
function measureSize(n: number, root: string, templateFile: string, withBare: boolean, withDiff: boolean, withCli = true) {
  const lib = runWorker(['library', String(n), path.join(root, 'library')]);
  // the floor: the same files, from memory, plain writes to a fresh folder on the same file system
  const floorRun = runWorker(['floor', path.join(root, 'library'), path.join(root, 'floor')]);
  fs.rmSync(path.join(root, 'floor'), { recursive: true, force: true });
  // the tree before the change, for the policy diff
  if (withDiff) fs.cpSync(path.join(root, 'library'), path.join(root, 'before'), { recursive: true });
  const again = runWorker(['library', String(n), path.join(root, 'library'), 'changed']);
  // each tool in a process of its own, so each peak RSS is that tool's
  const analyzeRun = runWorker(['analyze', String(n), path.join(root, 'library')]);
  const simulateRun = runWorker(['simulate', String(n), path.join(root, 'library')]);
  // what cdk8s alone takes to construct the same objects (plain ApiObjects): no construct phase beats it
  const constructFloorRun = runWorker(['construct-floor', String(n), templateFile]);
  // analyze as a CI job runs it: a process of its own, without a cache, then twice with one (filled, then read)
  const cache = path.join(root, 'analyze-cache');
  const none = { wall_ms: NaN, stdout: '', status: 0 };
  const cold = withCli ? runCli(['analyze', path.join(root, 'library'), '--format', 'json']) : none;
  const fill = withCli ? runCli(['analyze', path.join(root, 'library'), '--format', 'json', '--cache', cache]) : none;
  const hit = withCli ? runCli(['analyze', path.join(root, 'library'), '--format', 'json', '--cache', cache]) : none;
  if (cold.status !== 0 || fill.stdout !== cold.stdout || hit.stdout !== cold.stdout) {
    throw new Error(`analyze with a cache gave another report than without (exit ${cold.status}, ${fill.status}, ${hit.status})`);
  }
  fs.rmSync(cache, { recursive: true, force: true });
  // the same as a CI checkout is: a git work tree, whose index vouches for each file (filled, then read)
  const gitFill = withCli ? gitWorkTree(path.join(root, 'library')) : false;
  const fillGit = gitFill ? runCli(['analyze', path.join(root, 'library'), '--format', 'json', '--cache', cache]) : none;
  const hitGit = gitFill ? runCli(['analyze', path.join(root, 'library'), '--format', 'json', '--cache', cache]) : none;
  if (gitFill && (fillGit.stdout !== cold.stdout || hitGit.stdout !== cold.stdout)) {
    throw new Error(`analyze with a cache in a git work tree gave another report than without (exit ${fillGit.status}, ${hitGit.status})`);
  }
  fs.rmSync(cache, { recursive: true, force: true });
  fs.rmSync(path.join(root, 'library', '.git'), { recursive: true, force: true });
  let diffRun: SideResult | undefined;
  if (withDiff) {
    // a change that opens a door: ns-0 loses its reviews plugin; the diff must find it and nothing else
    fs.rmSync(path.join(root, 'library', namespaceName(0), 'WasmPlugin.basic-auth-for-service.k8s.yaml'));
    diffRun = runWorker(['diff', String(n), path.join(root, 'before'), path.join(root, 'library')]);
    fs.rmSync(path.join(root, 'before'), { recursive: true, force: true });
  }
  const bare = withBare ? runWorker(['bare', String(n), path.join(root, 'bare'), templateFile]) : undefined;
  fs.rmSync(path.join(root, 'bare'), { recursive: true, force: true });
  const touched = Number(again.files_written) + Number(again.files_removed);
  const floorMs = Math.round(Number(floorRun.write_ms));
  const phases = roundAll(lib.phases_ms as Record<string, number>);
  const againPhases = roundAll(again.phases_ms as Record<string, number>);
  return {
    namespaces: n,
    objects: lib.objects,
    library: { wall_ms: lib.wall_ms, peak_rss_mb: round(lib.peak_rss_mb), phases_ms: phases },
    write_floor: { files: floorRun.files, mb: round(Number(floorRun.bytes) / 2 ** 20), ms: floorMs, synth_wall_over_floor: round(lib.wall_ms / floorMs) },
    construct_floor: { ms: Math.round(Number(constructFloorRun.construct_ms)), objects: constructFloorRun.objects },
    bare_cdk8s: bare ? { wall_ms: bare.wall_ms, peak_rss_mb: round(bare.peak_rss_mb), objects: bare.objects, phases_ms: roundAll(bare.phases_ms as Record<string, number>) } : null,
    speedup: bare ? round(bare.wall_ms / lib.wall_ms) : null,
    resynth_one_namespace_changed: {
      wall_ms: again.wall_ms, peak_rss_mb: round(again.peak_rss_mb), files_touched: touched, files_unchanged: again.files_unchanged, phases_ms: againPhases,
      // what the goal compares: the re-synth's wall time against its own construct phase
      after_construct_ms: again.wall_ms - againPhases.construct,
    },
    analyze: {
      ms: Math.round(Number(analyzeRun.ms)), findings: analyzeRun.findings, peak_rss_mb: round(analyzeRun.peak_rss_mb),
      cli_wall_ms: cold.wall_ms, cli_cache_filled_wall_ms: fill.wall_ms, cli_cache_hit_wall_ms: hit.wall_ms,
      // the same in a git work tree (null without git)
      cli_git_cache_filled_wall_ms: gitFill ? fillGit.wall_ms : NaN, cli_git_cache_hit_wall_ms: gitFill ? hitGit.wall_ms : NaN,
    },
    simulate: {
      load_ms: Math.round(Number(simulateRun.load_ms)), requests: simulateRun.requests,
      per_request_ms: round(Number(simulateRun.per_request_ms)), peak_rss_mb: round(simulateRun.peak_rss_mb),
    },
    diff_one_namespace_changed: diffRun ? {
      wall_ms: diffRun.wall_ms, load_ms: Math.round(Number(diffRun.load_ms)), diff_ms: Math.round(Number(diffRun.diff_ms)),
      requests: diffRun.requests, opened: diffRun.opened, namespaces_simulated: diffRun.namespaces_simulated,
    } : null,
  };
}

type SizeResult = ReturnType<typeof measureSize>;

function sizeLines(r: SizeResult): string[] {
  const p = r.library.phases_ms;
  const a = r.resynth_one_namespace_changed;
  return [
    `namespaces ${r.namespaces}, objects ${r.objects}`,
    `library:    ${r.library.wall_ms} ms wall, ${r.library.peak_rss_mb} MB peak RSS (start ${p.start}, construct ${p.construct}, render ${p.render}, validate ${p.validate}, write ${p.write} ms)`,
    `write floor: ${r.write_floor.ms} ms for ${r.write_floor.files} files (${r.write_floor.mb} MB) written from memory; synth wall = ${r.write_floor.synth_wall_over_floor}x the floor`,
    `construct floor: ${r.construct_floor.ms} ms for cdk8s to construct the same ${r.construct_floor.objects} objects as plain ApiObjects`,
    r.bare_cdk8s ? `bare cdk8s: ${r.bare_cdk8s.wall_ms} ms wall, ${r.bare_cdk8s.peak_rss_mb} MB peak RSS (construct ${r.bare_cdk8s.phases_ms.construct}, synth ${r.bare_cdk8s.phases_ms.synth} ms); speedup ${r.speedup}x` : 'bare cdk8s: skipped',
    `re-synth after changing one namespace: ${a.wall_ms} ms wall (construct ${a.phases_ms.construct}, then ${a.after_construct_ms} ms: render ${a.phases_ms.render}, validate ${a.phases_ms.validate}, write ${a.phases_ms.write}), ${a.files_touched} file(s) touched, ${a.files_unchanged} unchanged`,
    `analyze: ${r.analyze.ms} ms in the process, ${r.analyze.peak_rss_mb} MB peak RSS (${r.analyze.findings} warnings); ${Number.isNaN(r.analyze.cli_wall_ms) ? 'the CLI: skipped' : `the CLI: ${r.analyze.cli_wall_ms} ms wall, with --cache ${r.analyze.cli_cache_filled_wall_ms} ms (filled), ${r.analyze.cli_cache_hit_wall_ms} ms (unchanged input)${Number.isNaN(r.analyze.cli_git_cache_hit_wall_ms) ? '' : `; in a git work tree ${r.analyze.cli_git_cache_filled_wall_ms} ms (filled), ${r.analyze.cli_git_cache_hit_wall_ms} ms (unchanged input)`}`}`,
    `simulate: ${r.simulate.load_ms} ms to load, ${r.simulate.peak_rss_mb} MB peak RSS, ${r.simulate.per_request_ms} ms a request`,
    r.diff_one_namespace_changed ? `diff of two trees, one namespace changed: ${r.diff_one_namespace_changed.wall_ms} ms wall (load both ${r.diff_one_namespace_changed.load_ms} ms, diff ${r.diff_one_namespace_changed.diff_ms} ms; ${r.diff_one_namespace_changed.requests} requests in ${r.diff_one_namespace_changed.namespaces_simulated} namespaces, ${r.diff_one_namespace_changed.opened} opened)` : '',
  ].filter(Boolean);
}

function main(argv: string[]): void {
  const count = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
    return n;
  };
  const program = new Command('bench')
    .option('--namespaces <n>', 'ambient namespaces to synthesize', count, 300)
    .option('--scaling <list>', 'several sizes, e.g. 1000,3000,10000: the core figures at each, and how they grow (no bare side, fleet or diff)', (v) => v.split(',').map((x) => count(x.trim())))
    .option('--json', 'print one JSON object as the last line')
    .option('--outdir <dir>', 'where to create the temporary folder (default: /dev/shm when it exists)')
    .option('--keep', 'keep the synthesized trees')
    .option('--no-cli', 'skip analyze as a process of its own, with and without --cache (its figures are then null)')
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
  const opts = program.opts<{ namespaces: number; scaling?: number[]; clusters: number; json?: boolean; outdir?: string; keep?: boolean; bare: boolean; cli: boolean; mainJobRuns: number }>();
  // warnings would print once per namespace; the bench measures synthesis, not the terminal
  process.env.CDK8S_ISTIO_AMBIENT_QUIET = process.env.CDK8S_ISTIO_AMBIENT_QUIET ?? 'BA011';
  const root = fs.mkdtempSync(path.join(opts.outdir ?? ramDir(), 'cdk8s-istio-ambient-bench-'));
  const tty = !opts.json || process.stdout.isTTY;
  try {
    // one namespace of the output as a template: the bare side and the construct floor build from it
    const templateFile = template(path.join(root, 'template'));
    if (opts.scaling) {
      const sizes: SizeResult[] = [];
      for (const n of opts.scaling) {
        const r = measureSize(n, path.join(root, String(n)), templateFile, false, false, opts.cli);
        if (!opts.keep) fs.rmSync(path.join(root, String(n)), { recursive: true, force: true });
        sizes.push(r);
        if (tty) process.stdout.write(`${sizeLines(r).join('\n')}\n\n`);
      }
      const base = sizes[0];
      const growth = sizes.map((r) => ({
        namespaces: r.namespaces,
        objects_x: round(Number(r.objects) / Number(base.objects)),
        synth_wall_x: round(r.library.wall_ms / base.library.wall_ms),
        resynth_wall_x: round(r.resynth_one_namespace_changed.wall_ms / base.resynth_one_namespace_changed.wall_ms),
        analyze_x: round(r.analyze.ms / base.analyze.ms),
        simulate_load_x: round(r.simulate.load_ms / base.simulate.load_ms),
        write_floor_x: round(r.write_floor.ms / base.write_floor.ms),
      }));
      const goals = judgeGoals(sizes);
      const result = { machine: machine(), sizes, growth, goals };
      if (tty) {
        process.stdout.write(`machine: ${result.machine}\ngrowth against ${base.namespaces} namespaces (objects, synth, re-synth, analyze, simulate load, write floor):\n`);
        for (const g of growth) process.stdout.write(`  ${g.namespaces}: ${g.objects_x}x objects; ${g.synth_wall_x}x, ${g.resynth_wall_x}x, ${g.analyze_x}x, ${g.simulate_load_x}x, ${g.write_floor_x}x\n`);
        process.stdout.write(`the goals of issue 18 in this run:\n${goalLines(goals).join('\n')}\n`);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const n = opts.namespaces;
    const size = measureSize(n, root, templateFile, opts.bare, true, opts.cli);
    const fleet = opts.clusters > 0 ? fleetRun(opts.clusters, n, path.join(root, 'fleet')) : null;
    const seed = mainJob(path.join(root, 'seed'), opts.mainJobRuns);
    const goals = judgeGoals([size]);
    const result = { ...size, machine: machine(), seed_main_job: seed, fleet, goals };
    if (tty) {
      process.stdout.write([
        `machine: ${result.machine}; output under ${root}`,
        `seed main job (${seed.command}): ${seed.first_run_ms} ms first run, ${seed.warm_ms} ms warm (median of ${opts.mainJobRuns}); cdk8s synth: ${seed.cdk8s_cli_ms} ms`,
        ...sizeLines(size),
        fleet ? `fleet: ${fleet.clusters} clusters x ${fleet.namespaces_per_cluster} namespaces, objects ${fleet.objects}: ${fleet.wall_ms} ms (in the process), ${fleet.peak_rss_mb} MB peak RSS (construct ${fleet.phases_ms.construct}, render ${fleet.phases_ms.render}, validate ${fleet.phases_ms.validate}, write ${fleet.phases_ms.write} ms)` : 'fleet: skipped',
        fleet?.remove_one_cluster ? `fleet, one cluster removed: ${fleet.remove_one_cluster.wall_ms} ms, ${fleet.remove_one_cluster.files_removed} file(s) removed, ${fleet.remove_one_cluster.files_written} written, ${fleet.remove_one_cluster.files_unchanged} unchanged` : '',
        fleet ? `fleet analyze (cluster by cluster): ${fleet.analyze.ms} ms (${fleet.analyze.findings} warnings); simulate in one cluster: ${fleet.simulate.load_ms} ms to load, ${fleet.simulate.per_request_ms} ms a request` : '',
        `the goals of issue 18 this size can judge:`,
        ...goalLines(goals),
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
