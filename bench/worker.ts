/**
 * One side of the benchmark, in a process of its own so that its peak RSS is its own. Prints one JSON line.
 *   library <N> <outdir> [changed]   GitOpsApp with N SeedScenario namespaces (changed: one label differs in ns-0)
 *   bare <N> <outdir> <template>     the same objects as plain ApiObjects, a Chart per namespace, App.synth()
 *   analyze <N> <outdir>             analyze on the library's output
 *   simulate <N> <outdir>            simulate's load, and a request per namespace, on the library's output
 *   construct-floor <N> <template>   the same objects as plain ApiObjects, constructed only
 *   fleet <C> <N> <outdir>           GitOpsApp with C clusters of N SeedScenario namespaces; then, in the same
 *                                    process, analyze (cluster by cluster), simulate in one cluster, and the
 *                                    same program without its last cluster
 *   diff <N> <before> <after>        the policy diff of two trees (after: ns-0 without its reviews plugin)
 *   floor <src> <dst>                the write floor: src's files read into memory, then written to dst
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import type * as analyzeModule from '../src/analyze';
import type * as diffModule from '../src/diff';
import type * as loadModule from '../src/loader/load';
import { GitOpsApp } from '../src/gitops/gitops-app';
import type * as simulateModule from '../src/simulate';
import { SeedScenario } from '../src/samples/seed-scenario';

// the tools are loaded only by the sides that use them: the library side loads what a cdk8s app loads
const analyzePaths: typeof analyzeModule.analyzePaths = (...a) => (require('../src/analyze') as typeof analyzeModule).analyzePaths(...a);
const diffObjects: typeof diffModule.diffObjects = (...a) => (require('../src/diff') as typeof diffModule).diffObjects(...a);
const loadManifests: typeof loadModule.loadManifests = (...a) => (require('../src/loader/load') as typeof loadModule).loadManifests(...a);
const loadSimulator: typeof simulateModule.loadSimulator = (...a) => (require('../src/simulate') as typeof simulateModule).loadSimulator(...a);

// a valid namespace name that occurs nowhere else in the seed's objects, replaced per namespace
export const NS_PLACEHOLDER = 'zz-bench-namespace-zz';

export function namespaceName(i: number): string {
  return `ns-${i}`;
}

function library(n: number, outdir: string, changed: boolean): object {
  const t0 = performance.now();
  const app = new GitOpsApp({ outdir, argoCd: { repoUrl: 'https://git.example.com/mesh.git' } });
  for (let i = 0; i < n; i++) {
    const ns = new SeedScenario(app, namespaceName(i), { namespace: namespaceName(i) });
    if (changed && i === 0) ns.addLabel('bench.example.com/changed', 'true');
  }
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  const r = app.lastSynth!;
  return {
    objects: r.objects, files_written: r.filesWritten, files_unchanged: r.filesUnchanged, files_removed: r.filesRemoved,
    // start: Node's own start and loading the modules, before the program runs
    phases_ms: { start: t0, construct: t1 - t0, render: r.renderMs, validate: r.validateMs, write: r.writeMs, synth: t2 - t1 },
  };
}

/** The same objects as plain ApiObjects from the template, a Chart per namespace (the bare cdk8s side). */
function bareApp(n: number, outdir: string, templateFile: string): { app: App; objects: number } {
  const template = fs.readFileSync(templateFile, 'utf8');
  const app = new App({ outdir });
  let objects = 0;
  for (let i = 0; i < n; i++) {
    const name = namespaceName(i);
    const chart = new Chart(app, name);
    const manifests: any[] = JSON.parse(template.split(NS_PLACEHOLDER).join(name));
    manifests.forEach((m, j) => new ApiObject(chart, `o${j}`, m));
    objects += manifests.length;
  }
  return { app, objects };
}

function bare(n: number, outdir: string, templateFile: string): object {
  const t0 = performance.now();
  const { app, objects } = bareApp(n, outdir, templateFile);
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  return { objects, phases_ms: { construct: t1 - t0, synth: t2 - t1 } };
}

/** Sends one request a namespace (at most 100) from curl to productpage; each must get 401. Returns how many. */
function checkProductpage(simulator: ReturnType<typeof loadSimulator>, n: number): number {
  const requests = Math.min(n, 100);
  for (let i = 0; i < requests; i++) {
    const r = simulator.simulate({ from: `${namespaceName(i)}/curl`, url: 'http://productpage:9080/productpage' });
    if (r.status !== 401) throw new Error(`simulate: ${namespaceName(i)}/curl -> productpage got ${r.status}, expected 401: ${r.reason}`);
  }
  return requests;
}

/** analyze on the synthesized tree, in a process of its own (its peak RSS is analyze's); errors fail the benchmark. */
function analyzeSide(outdir: string): object {
  const t0 = performance.now();
  const analysis = analyzePaths([outdir]);
  const t1 = performance.now();
  const errors = analysis.findings.filter((f) => f.severity === 'error').length;
  if (analysis.loadErrors.length > 0 || errors > 0) throw new Error(`analyze found ${errors} errors and ${analysis.loadErrors.length} load errors in the library's output`);
  return { objects: analysis.summary.objects, ms: t1 - t0, findings: analysis.findings.length };
}

/** simulate on the synthesized tree, in a process of its own: its load, and a request per namespace that must get 401. */
function simulateSide(n: number, outdir: string): object {
  const t0 = performance.now();
  const simulator = loadSimulator([outdir]);
  const t1 = performance.now();
  const requests = checkProductpage(simulator, n);
  const t2 = performance.now();
  return { objects: 0, load_ms: t1 - t0, requests, per_request_ms: (t2 - t1) / requests };
}

/**
 * The same objects as plain ApiObjects, a Chart per namespace, constructed and nothing else: what cdk8s itself
 * takes to hold them, which no program's construct phase can beat.
 */
function constructFloor(n: number, templateFile: string): object {
  const t0 = performance.now();
  const { objects } = bareApp(n, '/nonexistent', templateFile);
  return { objects, construct_ms: performance.now() - t0 };
}

export function clusterName(i: number): string {
  return `cluster-${i}`;
}

function fleetSynth(clusters: number, n: number, outdir: string) {
  const t0 = performance.now();
  const app = new GitOpsApp({ outdir, argoCd: { repoUrl: 'https://git.example.com/mesh.git' } });
  for (let c = 0; c < clusters; c++) {
    const cluster = app.addCluster({ name: clusterName(c), server: `https://${clusterName(c)}.k8s.example.com:6443`, labels: { fleet: 'bench' } });
    for (let i = 0; i < n; i++) new SeedScenario(cluster, namespaceName(i), { namespace: namespaceName(i) });
  }
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  const r = app.lastSynth!;
  return {
    wall_ms: t2 - t0,
    objects: r.objects, files_written: r.filesWritten, files_unchanged: r.filesUnchanged, files_removed: r.filesRemoved,
    phases_ms: { construct: t1 - t0, render: r.renderMs, validate: r.validateMs, write: r.writeMs, synth: t2 - t1 },
  };
}

/**
 * The fleet side, in one process (the synth's peak RSS is read before the rest runs): synth, analyze the tree
 * cluster by cluster and simulate in its first cluster (a wrong answer fails the benchmark), then the program
 * without its last cluster.
 */
function fleet(clusters: number, n: number, outdir: string): object {
  const first = fleetSynth(clusters, n, outdir);
  const peak = process.resourceUsage().maxRSS / 1024;
  const t0 = performance.now();
  const analysis = analyzePaths([outdir]);
  const t1 = performance.now();
  const errors = analysis.findings.filter((f) => f.severity === 'error').length;
  if (analysis.loadErrors.length > 0 || errors > 0) throw new Error(`analyze found ${errors} errors and ${analysis.loadErrors.length} load errors in the fleet's output`);
  const seen = analysis.summary.clusters ?? [];
  if (seen.length !== clusters) throw new Error(`analyze saw ${seen.length} clusters, expected ${clusters}`);
  const simulator = loadSimulator([outdir], { cluster: clusterName(0) });
  const t2 = performance.now();
  const requests = checkProductpage(simulator, n);
  const t3 = performance.now();
  const removed = clusters > 1 ? fleetSynth(clusters - 1, n, outdir) : undefined;
  return {
    ...first,
    peak_rss_mb: peak,
    analyze: { ms: t1 - t0, findings: analysis.findings.length, clusters: seen.length },
    simulate: { load_ms: t2 - t1, requests, per_request_ms: (t3 - t2) / requests },
    remove_one_cluster: removed ?? null,
  };
}

/**
 * The write floor: every file of a synthesized tree, read into memory first, then written to a fresh folder with
 * plain writeFileSync calls (no staging, no comparison), one folder at a time. What a synth of that tree cannot
 * beat on this file system.
 */
function floor(src: string, dst: string): object {
  const files: Array<[string, string]> = [];
  const dirs: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(src, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        dirs.push(r);
        walk(r);
      } else {
        files.push([r, fs.readFileSync(path.join(src, r), 'utf8')]);
      }
    }
  };
  walk('');
  const t0 = performance.now();
  fs.mkdirSync(dst, { recursive: true });
  for (const d of dirs) fs.mkdirSync(path.join(dst, d));
  for (const [r, c] of files) fs.writeFileSync(path.join(dst, r), c);
  const t1 = performance.now();
  return { objects: 0, files: files.length, bytes: files.reduce((n, [, c]) => n + c.length, 0), write_ms: t1 - t0 };
}

/** The policy diff of two trees; it must find ns-0's reviews opened, and nothing else. */
function diff(before: string, after: string): object {
  const t0 = performance.now();
  const a = loadManifests([before]);
  const b = loadManifests([after]);
  const t1 = performance.now();
  const r = diffObjects(a.objects, b.objects);
  const t2 = performance.now();
  const wrong = r.changes.filter((c) => c.change !== 'opened' || c.target !== `Service ${namespaceName(0)}/reviews`);
  if (r.summary.opened === 0 || wrong.length > 0) {
    throw new Error(`diff: expected only ${namespaceName(0)}/reviews opened, got ${r.summary.opened} opened and ${wrong.length} other changes`);
  }
  return { objects: a.objects.length + b.objects.length, load_ms: t1 - t0, diff_ms: t2 - t1, requests: r.summary.requests, opened: r.summary.opened, namespaces_simulated: r.summary.namespacesSimulated };
}

if (require.main === module) {
  const [side, n, outdir, extra] = process.argv.slice(2);
  const result = side === 'library' ? library(Number(n), outdir, extra === 'changed')
    : side === 'analyze' ? analyzeSide(outdir)
      : side === 'simulate' ? simulateSide(Number(n), outdir)
        : side === 'construct-floor' ? constructFloor(Number(n), outdir)
      : side === 'diff' ? diff(outdir, extra)
        : side === 'fleet' ? fleet(Number(n), Number(outdir), extra)
          : side === 'floor' ? floor(n, outdir) : bare(Number(n), outdir, extra);
  process.stdout.write(`${JSON.stringify({ peak_rss_mb: process.resourceUsage().maxRSS / 1024, ...result })}\n`);
}
