// What a CLI run loads: a run registers only its own command, and an `analyze --cache` run that the cache answers
// loads neither YAML parser, nor the model, nor the rule set, nor the simulator (they were a quarter of such a
// run's time over 3,000 namespaces). A top-level import of any of them on that path makes this fail.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, ambientNamespaceYaml, authPluginYaml, tmpDir } from '../support';

/** Runs the CLI from sources in a process of its own; returns its output and the modules it had loaded at exit. */
function run(args: readonly string[]): { status: number | null; stdout: string; loaded: string[] } {
  const script = `
    process.on('exit', () => { process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'); });
    require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'program.ts'))}).runCli(${JSON.stringify(args)}).then((c) => { process.exitCode = c; });`;
  const r = spawnSync(process.execPath, ['-r', 'sucrase/register/ts', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no module list: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, loaded: (JSON.parse(line.slice('LOADED '.length)) as string[]).map((f) => path.relative(ROOT, f).split(path.sep).join('/')) };
}

const PARSERS = /(?:^|\/)node_modules\/(?:js-yaml|yaml)\//;
const RULE_SET = /^src\/(?:rules\/index|model\/mesh-model|simulate\/)/;

describe('what a CLI run loads', () => {
  const dir = tmpDir('startup-tree-');
  fs.writeFileSync(path.join(dir, 'ns.yaml'), ambientNamespaceYaml('shop'));
  fs.writeFileSync(path.join(dir, 'plugin.yaml'), authPluginYaml('shop'));
  const cache = tmpDir('startup-cache-');
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  });

  test('analyze --cache answered from the cache loads no parser, no model, no rule and no simulator', () => {
    const args = ['analyze', dir, '--cache', cache, '--format', 'json'];
    const first = run(args);
    // the run that fills the cache parses and runs the rules: what the second must not load is loaded here
    expect(first.loaded.filter((f) => PARSERS.test(f)).length).toBeGreaterThan(0);
    expect(first.loaded).toContain('src/rules/index.ts');
    expect(first.loaded.filter((f) => f.startsWith('src/cli/') && f.endsWith('-command.ts'))).toEqual(['src/cli/analyze-command.ts']);
    const hit = run(args);
    expect(hit.status).toBe(first.status);
    expect(hit.stdout).toBe(first.stdout);
    expect(JSON.parse(hit.stdout).summary.objects).toBe(2);
    expect(hit.loaded.filter((f) => PARSERS.test(f) || RULE_SET.test(f))).toEqual([]);
  });

  test('help and a misspelt command see every command', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const c of ['analyze', 'simulate', 'diff', 'graph']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(help.loaded.filter((f) => f.startsWith('src/cli/') && f.endsWith('-command.ts')).sort()).toEqual(
      ['analyze', 'diff', 'graph', 'simulate'].map((c) => `src/cli/${c}-command.ts`));
    const typo = run(['analyse', dir]);
    expect(typo.status).toBe(2);
    expect(typo.loaded).toContain('src/cli/graph-command.ts');
  });
});
