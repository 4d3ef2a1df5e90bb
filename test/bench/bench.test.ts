// The benchmark runs and reports what the README and CI read; its timings are not asserted (not a timed test).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

describe('npm run bench', () => {
  test('synthesizes both sides and prints one JSON object as its last line', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
    const out = execFileSync(process.execPath, ['-r', 'sucrase/register/ts', path.join(ROOT, 'bench', 'main.ts'), '--namespaces', '2', '--clusters', '2', '--json', '--outdir', outdir, '--main-job-runs', '1', '--no-cli'],
      { cwd: ROOT, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop()!);

    expect(result).toMatchObject({
      namespaces: 2,
      objects: 49, // 24 a namespace, and the ApplicationSet
      library: { wall_ms: expect.any(Number), peak_rss_mb: expect.any(Number) },
      bare_cdk8s: { wall_ms: expect.any(Number), peak_rss_mb: expect.any(Number), objects: 48 },
      resynth_one_namespace_changed: { files_touched: 1 },
      simulate: { requests: 2, peak_rss_mb: expect.any(Number) },
      // what cdk8s alone takes to construct the same objects
      construct_floor: { ms: expect.any(Number), objects: 48 },
      diff_one_namespace_changed: { wall_ms: expect.any(Number), opened: 6, namespaces_simulated: expect.any(Number) },
      // the seed's main job, each run a whole process (npm run synth, and cdk8s synth through cdk8s.yaml)
      seed_main_job: { command: 'npm run synth', first_run_ms: expect.any(Number), warm_ms: expect.any(Number), cdk8s_cli_ms: expect.any(Number) },
    });
    expect(result.seed_main_job.warm_runs_ms).toHaveLength(1);
    expect(Object.keys(result.library.phases_ms).sort()).toEqual(['construct', 'render', 'start', 'synth', 'validate', 'write']);
    // the write floor, and analyze as a process of its own skipped (--no-cli: test/cli/analyze.test.ts runs --cache)
    expect(result.write_floor).toMatchObject({ files: 53, ms: expect.any(Number) });
    expect(result.analyze).toMatchObject({ cli_wall_ms: null, cli_cache_hit_wall_ms: null, cli_git_cache_hit_wall_ms: null });
    expect(result.analyze.findings).toBe(6); // the seed's plain-text demo credentials, three per namespace
    expect(result.analyze.peak_rss_mb).toBeGreaterThan(0); // analyze's own process
    // the fleet: 2 clusters x 2 namespaces; removing one removes its 2 x 25 files and its ApplicationSet
    expect(result.fleet).toMatchObject({
      clusters: 2, namespaces_per_cluster: 2, objects: 2 * 48 + 2,
      remove_one_cluster: { files_removed: 51, files_written: 1, files_unchanged: 51 },
      analyze: { findings: 12, clusters: 2 }, simulate: { requests: 2 },
    });
    // the goals of issue 18 this size can judge: the re-synth's, and the cache's (not measured under --no-cli)
    expect(result.goals.map((g: any) => g.goal)).toEqual([
      're-synth after a one-namespace change <= construct phase + 0.5 s',
      'analyze --cache, unchanged input, < 1 s',
      'analyze --cache in a git work tree, unchanged input, < 1 s',
    ]);
    expect(result.goals[0]).toMatchObject({ namespaces: 2, met: expect.any(Boolean) });
    expect(result.goals.slice(1).map((g: any) => g.met)).toEqual([null, null]);
    // the temporary trees are removed
    expect(fs.readdirSync(outdir)).toEqual([]);
  }, 60_000);

  test('fails in one line on a bad argument', () => {
    let err = '';
    try {
      execFileSync(process.execPath, ['-r', 'sucrase/register/ts', path.join(ROOT, 'bench', 'main.ts'), '--namespaces', 'many'],
        { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (e: any) {
      err = String(e.stderr);
      expect(e.status).toBe(2);
    }
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/--namespaces.*a positive integer/);
  }, 30_000);
});
