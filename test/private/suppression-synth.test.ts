// Synthesis honours suppressions: the ignore annotation on a construct's object and CDK8S_ISTIO_AMBIENT_IGNORE,
// through the same applySuppressions as analyze; suppressed findings are printed once as suppressed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, GitOpsApp, HttpMethod, PathMatch, PolicyTarget } from '../../src';
import { IGNORE_ENV, QUIET_ENV, ignoreFromEnv } from '../../src/private/mesh-context';
import { IGNORE_ANNOTATION } from '../../src/rules';
import { synth } from '../helpers';

const rule = () => new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] });

function deadPlugin(annotations?: Record<string, string>) {
  const app = Testing.app();
  const ns = new AmbientNamespace(app, 'shop');
  new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.gateway('edge-istio')], rules: [rule()], ...(annotations ? { annotations } : {}) });
  return ns;
}

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(before)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

describe('suppressions at synth', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => { stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true); });
  afterEach(() => stderr.mockRestore());
  const printed = () => stderr.mock.calls.map((c) => String(c[0])).join('');

  test('fails without a suppression (the baseline)', () => {
    expect(() => synth(deadPlugin())).toThrow(/WASM005 WasmPlugin shop\/cart-auth/);
  });

  test('an annotation with a reason lets synth pass and says the finding is suppressed', () => {
    const ns = deadPlugin({ [IGNORE_ANNOTATION]: 'WASM005: the gateway is deployed by the platform repository' });
    const out = withEnv({ [QUIET_ENV]: '' }, () => synth(ns));
    expect(out.find((m) => m.kind === 'WasmPlugin').metadata.annotations[IGNORE_ANNOTATION]).toMatch(/^WASM005: /);
    expect(printed()).toMatch(/^suppressed error WASM005 WasmPlugin shop\/cart-auth \(shop\/CartAuth\): .* \[suppressed by metadata\.annotations\["cdk8s-istio-ambient\.io\/ignore"\]: the gateway is deployed by the platform repository\]$/m);
  });

  test('an annotation without a reason on an auth plugin error is refused: synth still fails and says why', () => {
    expect(() => synth(deadPlugin({ [IGNORE_ANNOTATION]: 'WASM005' }))).toThrow(/WASM005 WasmPlugin shop\/cart-auth .*\[not suppressed: .* names WASM005 without a reason/);
  });

  test(`${IGNORE_ENV} suppresses across the app, with ; between entries`, () => {
    withEnv({ [IGNORE_ENV]: 'BA011; WASM005: gateways live elsewhere' }, () => expect(() => synth(deadPlugin())).not.toThrow());
    expect(() => withEnv({ [IGNORE_ENV]: 'WASM005' }, () => synth(deadPlugin()))).toThrow(/not suppressed: CDK8S_ISTIO_AMBIENT_IGNORE names WASM005 without a reason/);
    expect(() => ignoreFromEnv('wasm005')).toThrow(`${IGNORE_ENV}: "wasm005" is not CODE[,CODE][: reason]`);
  });

  test('GitOpsApp honours the annotation and writes the tree', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'suppress-gitops-'));
    const app = new GitOpsApp({ outdir });
    const ns = new AmbientNamespace(app, 'shop');
    new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.gateway('edge-istio')], rules: [rule()],
      annotations: { [IGNORE_ANNOTATION]: 'WASM005,BA011: demo' } });
    expect(() => app.synth()).not.toThrow();
    expect(fs.readdirSync(path.join(outdir, 'shop'))).toContain('WasmPlugin.cart-auth.k8s.yaml');
  });
});
