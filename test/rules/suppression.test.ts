// Suppressions: one pure function; the annotation on an object and the ignore list; suppressed findings are
// kept and marked; an auth plugin's error is not silenced without a reason.
import * as fs from 'fs';
import * as path from 'path';
import { analyzeObjects } from '../../src/analyze';
import { MeshModel } from '../../src/model/mesh-model';
import { IGNORE_ANNOTATION, IgnoreListError, Severity, applySuppressions, parseIgnoreList, runRules } from '../../src/rules';
import { base, plugin, sourced } from './fixtures';
import { cli, tmpDir } from '../support';

const FIX = path.join(__dirname, '..', 'fixtures', 'rules');
// an auth plugin whose target does not exist (WASM005, error) and that fails open (WASM021, warning)
const deadAuth = (annotations?: Record<string, string>) => {
  const p = plugin({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'nowhere' }], failStrategy: 'FAIL_OPEN',
    pluginConfig: { basic_auth_rules: [{ prefix: '/cart', request_methods: ['GET'], credentials: ['<path:kv/data/shop#cred>'] }] } });
  if (annotations) p.metadata.annotations = annotations;
  return p;
};
const codesOf = (fs_: ReturnType<typeof analyzeObjects>) => fs_.map((f) => `${f.code}:${f.suppressed ? 'suppressed' : f.suppressionRefused ? 'refused' : 'active'}`);

describe('parseIgnoreList', () => {
  test('reads codes with or without a reason, several entries a value, one a line', () => {
    expect(parseIgnoreList(['BA011', 'WASM021,WASM023: shared module, reviewed', 'AMB004: a\nBA009'])).toEqual([
      { codes: ['BA011'], reason: '' },
      { codes: ['WASM021', 'WASM023'], reason: 'shared module, reviewed' },
      { codes: ['AMB004'], reason: 'a' },
      { codes: ['BA009'], reason: '' },
    ]);
  });

  test('fails on a malformed entry or an unknown code, naming where it was written', () => {
    expect(() => parseIgnoreList(['ba011'])).toThrow(IgnoreListError);
    expect(() => parseIgnoreList(['ba011'])).toThrow('--ignore: "ba011" is not CODE[,CODE][: reason]');
    expect(() => parseIgnoreList(['WASM999'], 'properties.ignore')).toThrow('properties.ignore: "WASM999" is not a rule code');
  });
});

describe('applySuppressions', () => {
  test('an annotation with a reason silences the codes it names on its own object only', () => {
    const objects = sourced([...base(), deadAuth({ [IGNORE_ANNOTATION]: 'WASM005,WASM021: the gateway lives in the infra repository' }),
      { ...deadAuth(), metadata: { name: 'other-auth', namespace: 'shop' } }]);
    const findings = analyzeObjects(objects);
    const mine = findings.filter((f) => f.name === 'cart-auth');
    expect(codesOf(mine)).toEqual(['WASM005:suppressed', 'WASM021:suppressed']);
    expect(mine[0].suppressed).toEqual({ by: 'annotation', where: `metadata.annotations["${IGNORE_ANNOTATION}"]`, reason: 'the gateway lives in the infra repository' });
    expect(codesOf(findings.filter((f) => f.name === 'other-auth'))).toEqual(['WASM005:active', 'WASM021:active']);
  });

  test('an error on an auth plugin is not silenced without a reason, by the annotation or the ignore list', () => {
    const annotated = analyzeObjects(sourced([...base(), deadAuth({ [IGNORE_ANNOTATION]: 'WASM005,WASM021' })]));
    expect(codesOf(annotated)).toEqual(['WASM005:refused', 'WASM021:suppressed']);
    expect(annotated[0].suppressionRefused).toBe(`metadata.annotations["${IGNORE_ANNOTATION}"] names WASM005 without a reason, and an error on an auth plugin is only suppressed with one; write "WASM005: <why>"`);
    const listed = analyzeObjects(sourced([...base(), deadAuth()]), { ignore: parseIgnoreList(['WASM005,WASM021']) });
    expect(codesOf(listed)).toEqual(['WASM005:refused', 'WASM021:suppressed']);
    const withReason = analyzeObjects(sourced([...base(), deadAuth()]), { ignore: parseIgnoreList(['WASM005: gateways live in the infra repository']) });
    expect(withReason[0].suppressed).toEqual({ by: 'option', where: '--ignore', reason: 'gateways live in the infra repository' });
  });

  test('an error on an object that is no auth plugin is silenced without a reason', () => {
    const objects = sourced([...base(), { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'none', namespace: 'shop' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } }]);
    const f = analyzeObjects(objects, { ignore: parseIgnoreList(['AMB001']) });
    expect(codesOf(f)).toEqual(['AMB001:suppressed']);
    expect(f[0].severity).toBe(Severity.ERROR);
  });

  test('the annotation wins over the ignore list; malformed annotation lines silence nothing', () => {
    const f = analyzeObjects(sourced([...base(), deadAuth({ [IGNORE_ANNOTATION]: 'wasm021: lower case\nWASM021: reviewed' })]), { ignore: parseIgnoreList(['WASM021: global']) });
    expect(f.find((x) => x.code === 'WASM021')!.suppressed).toMatchObject({ by: 'annotation', reason: 'reviewed' });
    const bad = analyzeObjects(sourced([...base(), deadAuth({ [IGNORE_ANNOTATION]: 'wasm021, nope: x' })]));
    expect(codesOf(bad)).toEqual(['WASM005:active', 'WASM021:active']);
  });

  test('is pure: findings in, the same findings out, in the same order, marked', () => {
    const model = MeshModel.build(sourced([...base(), deadAuth()]));
    const findings = runRules(model);
    const before = JSON.stringify(findings);
    const out = applySuppressions(findings, model, { ignore: parseIgnoreList(['WASM021']), ignoreWhere: 'CDK8S_ISTIO_AMBIENT_IGNORE' });
    expect(JSON.stringify(findings)).toBe(before);
    expect(out.map((f) => f.code)).toEqual(findings.map((f) => f.code));
    expect(out.find((f) => f.code === 'WASM021')!.suppressed!.where).toBe('CDK8S_ISTIO_AMBIENT_IGNORE');
  });
});

describe('analyze --ignore and annotations', () => {
  test('suppressed findings are listed as suppressed, counted apart, and fail nothing', async () => {
    const r = await cli('analyze', path.join(FIX, 'base.yaml'), path.join(FIX, 'WASM021.bad.yaml'), '--ignore', 'WASM021: vendored module', '--fail-on', 'warning');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^suppressed warning WASM021 WasmPlugin shop\/cart-auth \(.*\): spec\.failStrategy: .* \[suppressed by --ignore: vendored module\]$/);
    expect(lines[1]).toBe('0 errors, 0 warnings, 1 suppressed in 5 objects from 2 files');
    const json = JSON.parse((await cli('analyze', '--format', 'json', path.join(FIX, 'base.yaml'), path.join(FIX, 'WASM021.bad.yaml'), '--ignore', 'WASM021')).out);
    expect(json.findings[0].suppressed).toEqual({ by: 'option', where: '--ignore', reason: '' });
    expect(json.summary).toMatchObject({ errors: 0, warnings: 0, suppressed: 1 });
  });

  test('a refused suppression keeps the error and says why on its line', async () => {
    const dir = tmpDir('suppress-');
    const file = path.join(dir, 'p.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(FIX, 'WASM009.bad.yaml'), 'utf8').replace('  name: orders-auth\n', `  name: orders-auth\n  annotations:\n    ${IGNORE_ANNOTATION}: WASM009\n`));
    const r = await cli('analyze', path.join(FIX, 'base.yaml'), file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error WASM009 WasmPlugin shop\/orders-auth .* \[not suppressed: metadata\.annotations\["cdk8s-istio-ambient\.io\/ignore"\] names WASM009 without a reason/m);
  });

  test('fails with exit 2 on a malformed --ignore', async () => {
    const r = await cli('analyze', path.join(FIX, 'base.yaml'), '--ignore', 'WASM9999');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --ignore: "WASM9999" is not a rule code; use the codes listed in docs/rules.md (e.g. BA011)\n');
  });
});
