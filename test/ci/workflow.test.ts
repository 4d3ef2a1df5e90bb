// The GitHub Actions example of docs/ci.md parses, uses SARIF upload, a JUnit report and a PR comment, and runs
// only commands and flags this CLI has (the analyze and simulate steps are run for real on the seed).
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import * as YAML from 'yaml';
import { cliProgram } from '../../src/cli/program';
import { ROOT, cli } from '../support';

const FILE = path.join(ROOT, 'examples', 'github-actions', 'mesh-policy.yml');
const text = fs.readFileSync(FILE, 'utf8');

/** Every `npx cdk8s-istio-ambient ...` invocation in the workflow's run steps, as argument lists. */
function invocations(doc: any): string[][] {
  const runs: string[] = Object.values(doc.jobs).flatMap((j: any) => j.steps).map((s: any) => s.run).filter((r: unknown): r is string => typeof r === 'string');
  return runs.flatMap((r) => r.split('\n')).filter((l) => l.includes('npx cdk8s-istio-ambient '))
    .map((l) => l.slice(l.indexOf('npx cdk8s-istio-ambient ') + 'npx cdk8s-istio-ambient '.length).split(/\s+>/)[0].trim())
    .map((l) => [...l.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]));
}

describe('examples/github-actions/mesh-policy.yml', () => {
  const doc = YAML.parse(text);

  test('parses as a workflow with the three jobs and the actions they need', () => {
    expect(Object.keys(doc.jobs)).toEqual(['analyze', 'checks', 'diff']);
    const uses = Object.values(doc.jobs).flatMap((j: any) => j.steps).map((s: any) => s.uses).filter(Boolean);
    expect(uses).toEqual(expect.arrayContaining(['github/codeql-action/upload-sarif@v3', 'mikepenz/action-junit-report@v5', 'actions/github-script@v7']));
    expect(doc.jobs.analyze.permissions['security-events']).toBe('write');
    expect(doc.jobs.diff.permissions['pull-requests']).toBe('write');
    // the comment is found again by the first line the Markdown report starts with
    expect(text).toContain("const marker = '<!-- cdk8s-istio-ambient diff -->';");
  });

  test('runs only commands and flags the CLI has, with values its choices allow', () => {
    const program = cliProgram();
    const found = invocations(doc);
    expect(found.map((a) => a[0])).toEqual(['analyze', 'simulate', 'diff']);
    for (const args of found) {
      const cmd = program.commands.find((c: Command) => c.name() === args[0]);
      expect(cmd).toBeDefined();
      for (let i = 1; i < args.length; i++) {
        if (!args[i].startsWith('--')) continue;
        const opt = cmd!.options.find((o) => o.long === args[i]);
        expect({ args, flag: args[i], known: opt !== undefined }).toMatchObject({ known: true });
        if (opt?.argChoices) expect(opt.argChoices).toContain(args[i + 1]);
      }
    }
  });

  test('the analyze and simulate steps succeed on the seed as written', async () => {
    for (const args of invocations(doc).filter((a) => a[0] !== 'diff')) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(r.output.length).toBeGreaterThan(100);
    }
  });

  test('docs/ci.md shows the workflow as it is', () => {
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'ci.md'), 'utf8');
    expect(page).toContain(`\`\`\`yaml\n${text}\`\`\``);
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/ci.md)');
  });

  test('docs/ci.md\'s cache steps parse, restore in every run, save only on main, and pass flags the CLI has', () => {
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'ci.md'), 'utf8');
    const section = page.slice(page.indexOf('## A large tree: keep the analyze cache between runs'));
    const fence = /```yaml\n([\s\S]*?)```/.exec(section);
    expect(fence).not.toBeNull();
    const steps = YAML.parse(fence![1]);
    expect(steps.map((s: any) => s.uses ?? 'run')).toEqual(['actions/cache/restore@v4', 'run', 'actions/cache/save@v4']);
    const [restore, run, save] = steps;
    expect(save.if).toContain("github.ref == 'refs/heads/main'");
    expect(save.if).toContain("github.event_name == 'push'");
    expect(restore.if).toBeUndefined();
    expect(save.with.key).toBe(restore.with.key);
    expect(restore.with.path).toBe(save.with.path);
    // the analyze step is the workflow's own, with the cache in the folder the two cache steps keep
    const analyzeStep = doc.jobs.analyze.steps.find((s: any) => typeof s.run === 'string' && s.run.includes(' analyze '));
    expect(run.run).toBe(analyzeStep.run.replace(' > mesh-policy.sarif', ' --cache "$RUNNER_TEMP/mesh-analyze-cache" > mesh-policy.sarif'));
    expect(restore.with.path).toBe('${{ runner.temp }}/mesh-analyze-cache');
    const [args] = invocations({ jobs: { analyze: { steps: [run] } } });
    const cmd = cliProgram().commands.find((c: Command) => c.name() === 'analyze')!;
    for (const flag of args.filter((a) => a.startsWith('--'))) expect(cmd.options.some((o) => o.long === flag)).toBe(true);
    expect(args).toContain('--cache');
  });
});
