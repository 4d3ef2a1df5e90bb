// The plugin against cdk8s-cli's own ValidationContext and report (the end-to-end `cdk8s synth` run is in scripts/).
import * as path from 'path';
// the CLI's exports map allows only this subpath at run time; the types come from the file it points to
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins/validation');
import * as rules from '../../src/rules';
import { IstioAmbientValidation } from '../../src/validation-plugin';

const FIX = path.join(__dirname, '..', 'fixtures', 'rules');

async function run(files: string[], props = {}) {
  const context = new ValidationContext(files, 'cdk8s-istio-ambient', '0.1.0', { 'cart-auth': { path: 'shop/CartAuth' } }, false);
  (context.logger as any).log = jest.fn();
  await new IstioAmbientValidation(props).validate(context);
  return { context, json: context.report.toJson() };
}

describe('validation plugin', () => {
  test('fails the report on an error finding, with the finding in cdk8s terms', async () => {
    const bad = path.join(FIX, 'WASM005.bad.yaml');
    const { context, json } = await run([path.join(FIX, 'base.yaml'), bad]);
    expect(json.summary).toMatchObject({ status: 'failure', plugin: 'cdk8s-istio-ambient', metadata: { errors: '1', warnings: '0', objects: '5' } });
    expect(json.violations).toEqual([{
      ruleName: 'WASM005 (error): target Gateway does not exist in the plugin namespace',
      recommendation: `WasmPlugin shop/cart-auth (${bad}:2): spec.targetRefs[0].name: no Gateway of that name in namespace shop, so the plugin applies to nothing (got "edge-istio")`,
      fix: 'did you mean "edge"? create Gateway shop/edge-istio or name an existing one (the Gateway name, not its "-istio" Deployment)',
      violatingConstructs: [{ resourceName: 'cart-auth', locations: ['spec.targetRefs[0].name'], manifestPath: bad, constructPath: 'shop/CartAuth' }],
    }]);
    expect(context.logger.log).toHaveBeenCalledWith('cdk8s-istio-ambient: 1 error, 0 warnings in 5 objects from 2 files');
    expect(context.report.toString()).toMatch(/WASM005 \(error\)/);
  });

  test('reports warnings without failing, unless failOn is warning', async () => {
    const files = [path.join(FIX, 'base.yaml'), path.join(FIX, 'WASM021.bad.yaml')];
    const plain = await run(files);
    expect(plain.json.summary.status).toBe('success');
    expect(plain.json.violations.map((v: { ruleName: string }) => v.ruleName)).toEqual(['WASM021 (warning): FAIL_OPEN on an AUTHN or AUTHZ plugin']);
    expect((await run(files, { failOn: 'warning' })).json.summary.status).toBe('failure');
  });

  test('fails at load on a properties typo', () => {
    expect(() => new IstioAmbientValidation({ failOn: 'warnings' })).toThrow(/properties\.failOn: must be "error" or "warning" \(got "warnings"\)/);
  });

  test('an empty properties entry (null in cdk8s.yaml) is no properties; a namespace that is no Namespace name is refused', () => {
    // it was a TypeError (reading 'failOn' of null); an empty root namespace matched no object, silently
    expect(() => new IstioAmbientValidation(null as any)).not.toThrow();
    expect(() => new IstioAmbientValidation('warning' as any)).toThrow('IstioAmbientValidation: properties: must be a map (got "warning"); write e.g. properties: { failOn: warning }, or leave properties out');
    expect(() => new IstioAmbientValidation({ rootNamespace: '' })).toThrow(
      'IstioAmbientValidation: properties.rootNamespace: must be a namespace name: lowercase a-z, 0-9 and "-", at most 63 characters (got ""); fix the validations entry in cdk8s.yaml');
    expect(() => new IstioAmbientValidation({ defaultNamespace: 5 as any })).toThrow(/properties\.defaultNamespace: must be a namespace name.*\(got 5\)/);
    expect(() => new IstioAmbientValidation({ rootNamespace: 'istio-system', defaultNamespace: 'default' })).not.toThrow();
  });

  test('fails the report in one line when a rule crashes', async () => {
    const spy = jest.spyOn(rules, 'runRules').mockImplementation(() => { throw new Error('boom\n    at x (y.ts:1:1)'); });
    try {
      const { json } = await run([path.join(FIX, 'base.yaml')]);
      expect(json.summary.status).toBe('failure');
      expect(json.violations.map((v: { recommendation: string }) => v.recommendation)).toEqual(['boom']);
    } finally {
      spy.mockRestore();
    }
  });

  test('honours properties.ignore and the ignore annotation, listing suppressed findings as such', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-suppress-'));
    const annotated = path.join(dir, 'p.yaml');
    fs.writeFileSync(annotated, fs.readFileSync(path.join(FIX, 'WASM005.bad.yaml'), 'utf8')
      .replace('  namespace: shop\n', '  namespace: shop\n  annotations:\n    cdk8s-istio-ambient.io/ignore: "WASM005: gateway in the infra repo"\n'));
    const { json } = await run([path.join(FIX, 'base.yaml'), annotated, path.join(FIX, 'WASM021.bad.yaml')], { ignore: ['WASM021'] });
    expect(json.summary).toMatchObject({ status: 'success', metadata: { errors: '0', warnings: '0', suppressed: '2' } });
    // the report lists findings in the order of their files' paths, and the temporary file may sort either side of
    // the fixtures (it depends on where the clone is): look each one up by code
    const byCode = (code: string): { recommendation: string } | undefined => json.violations.find((v: { ruleName: string }) => v.ruleName.startsWith(`${code} `));
    expect(json.violations.map((v: { ruleName: string }) => v.ruleName).sort()).toEqual([
      'WASM005 (error, suppressed): target Gateway does not exist in the plugin namespace',
      'WASM021 (warning, suppressed): FAIL_OPEN on an AUTHN or AUTHZ plugin',
    ]);
    expect(byCode('WASM005')!.recommendation).toMatch(/\[suppressed by metadata\.annotations\["cdk8s-istio-ambient\.io\/ignore"\]: gateway in the infra repo\]$/);
    expect(byCode('WASM021')!.recommendation).toMatch(/\[suppressed by properties\.ignore\]$/);
  });

  test('fails at load on a malformed properties.ignore', () => {
    expect(() => new IstioAmbientValidation({ ignore: 'WASM999' })).toThrow(/IstioAmbientValidation: properties\.ignore: "WASM999" is not a rule code/);
    expect(() => new IstioAmbientValidation({ ignore: [3] as any })).toThrow(/properties\.ignore: must be a string or a list of strings \(got \[3\]\)/);
  });
});
