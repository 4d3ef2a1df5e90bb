// analyze --format sarif: valid against the official OASIS SARIF 2.1.0 schema (vendored, see
// test/fixtures/sarif/README.md), regions on the field, fingerprints that survive unrelated edits.
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { RULES } from '../../src/rules';
import { FINGERPRINT_KEY } from '../../src/report';
import { ROOT, cli, tmpDir } from '../support';

const FIX = path.join(__dirname, '..', 'fixtures', 'rules');
const rel = (f: string) => path.relative(ROOT, path.join(FIX, f));
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

async function sarif(...args: string[]): Promise<{ code: number; log: any; text: string }> {
  const { code, output } = await cli('analyze', '--format', 'sarif', ...args);
  return { code, log: JSON.parse(output), text: output };
}

function expectValid(log: unknown): void {
  const ok = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

function tmp(): string {
  return tmpDir('sarif-');
}

describe('analyze --format sarif', () => {
  test('validates against the SARIF 2.1.0 schema, with every rule and its help link', async () => {
    const { code, log } = await sarif(rel('base.yaml'), rel('WASM005.bad.yaml'), rel('BA010.bad.yaml'));
    expect(code).toBe(1);
    expectValid(log);
    expect(log.version).toBe('2.1.0');
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('cdk8s-istio-ambient');
    expect(driver.rules.map((r: any) => r.id)).toEqual(RULES.map((r) => r.code));
    const wasm005 = driver.rules.find((r: any) => r.id === 'WASM005');
    expect(wasm005).toMatchObject({
      shortDescription: { text: 'target Gateway does not exist in the plugin namespace' },
      defaultConfiguration: { level: 'error' },
      helpUri: expect.stringMatching(/\/docs\/rules\.md#wasm005$/),
    });
    expect(wasm005.help.markdown).toContain(`(${wasm005.helpUri})`);
    expect(driver.rules.find((r: any) => r.id === 'BA011').defaultConfiguration.level).toBe('warning');
    // the anchor is the one the rules page's heading makes
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8')).toContain('\n### WASM005\n');
  });

  test('each result points at the file, line and column of its field', async () => {
    const { log } = await sarif(rel('base.yaml'), rel('WASM005.bad.yaml'));
    const results = log.runs[0].results;
    expect(results).toHaveLength(1);
    const r = results[0];
    expect(r).toMatchObject({ ruleId: 'WASM005', level: 'error', ruleIndex: RULES.findIndex((x) => x.code === 'WASM005') });
    expect(r.message.text).toMatch(/^WASM005 WasmPlugin shop\/cart-auth \(.*WASM005\.bad\.yaml:2\): spec\.targetRefs\[0\]\.name: /);
    const lines = fs.readFileSync(path.join(FIX, 'WASM005.bad.yaml'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('name: edge-istio')) + 1;
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: rel('WASM005.bad.yaml') },
      region: { startLine: line, startColumn: lines[line - 1].indexOf('name:') + 1 },
    });
  });

  test('fingerprints stay the same across runs and when unrelated lines move', async () => {
    const dir = tmp();
    const file = path.join(dir, 'plugin.yaml');
    const original = fs.readFileSync(path.join(FIX, 'WASM005.bad.yaml'), 'utf8');
    fs.writeFileSync(file, original);
    const base = path.join(FIX, 'base.yaml');
    const a = await sarif(base, file);
    const b = await sarif(base, file);
    expect(a.text).toBe(b.text);
    fs.writeFileSync(file, `# a comment added above\n\n${original.replace('phase: AUTHN', 'phase: AUTHN\n  priority: 10')}`);
    const c = await sarif(base, file);
    const fp = (x: any) => x.log.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY];
    expect(fp(c)).toBe(fp(a));
    expect(fp(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(c.log.runs[0].results[0].locations[0].physicalLocation.region.startLine)
      .toBe(a.log.runs[0].results[0].locations[0].physicalLocation.region.startLine + 3);
    // another field of the same object is another result
    const other = await sarif(base, path.join(FIX, 'WASM006.bad.yaml'));
    expect(other.log.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY]).not.toBe(fp(a));
  });

  test('masks credentials in messages', async () => {
    const { log } = await sarif(rel('base.yaml'), rel('BA006.bad.yaml'));
    expectValid(log);
    const ba006 = log.runs[0].results.find((r: any) => r.ruleId === 'BA006');
    expect(ba006.message.text).not.toContain('"admin"');
    expect(ba006.message.text).toContain('(got "*** (5 characters)")');
  });

  test('suppressed findings are results with SARIF suppressions, not dropped', async () => {
    const dir = tmp();
    const file = path.join(dir, 'plugin.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(FIX, 'WASM021.bad.yaml'), 'utf8')
      .replace('  namespace: shop\n', '  namespace: shop\n  annotations:\n    cdk8s-istio-ambient.io/ignore: "WASM021: the module is vendored and cannot fail to load"\n'));
    const { code, log } = await sarif(path.join(FIX, 'base.yaml'), file, '--ignore', 'BA011', '--fail-on', 'warning');
    expect(code).toBe(0);
    expectValid(log);
    const byRule = Object.fromEntries(log.runs[0].results.map((r: any) => [r.ruleId, r]));
    expect(byRule.WASM021.suppressions).toEqual([{ kind: 'inSource', justification: 'the module is vendored and cannot fail to load' }]);
  });

  test('unreadable input is a tool notification and a failed invocation, still valid SARIF', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'kind: [\n');
    const { code, log } = await sarif(path.join(FIX, 'base.yaml'), dir);
    expect(code).toBe(2);
    expectValid(log);
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.exitCode).toBe(2);
    expect(inv.toolExecutionNotifications[0]).toMatchObject({ level: 'error', descriptor: { id: 'LOAD' } });
  });

  test('the seed dist/ is valid SARIF with its three BA011 warnings', async () => {
    const { code, log } = await sarif('dist');
    expect(code).toBe(0);
    expectValid(log);
    expect(log.runs[0].results.map((r: any) => r.ruleId)).toEqual(['BA011', 'BA011', 'BA011']);
    for (const r of log.runs[0].results) expect(r.message.text).not.toMatch(/YWRtaW4zOmFkbWluMw==|ok:test|MXQtaW4z/);
  });
});
