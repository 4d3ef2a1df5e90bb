// Errors that help: a RuleError is one line with its finding kept but not printed, a name that is not found comes
// with the closest one that is, and a finding's fix is in the words of whoever made the object.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { inspect } from 'util';
import { ApiObject, Testing } from 'cdk8s';
import { AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, HttpMethod, PathMatch, PolicyTarget, ServiceReference, WaypointNamespaces } from '../../src';
import { MeshModel } from '../../src/model/mesh-model';
import { Finding, FixWording, RuleError, formatFinding, formatFindingIn, runRules } from '../../src/rules';
import { GOOD_CONFIG, base, plugin, sourced } from './fixtures';

const rule = () => new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] });
const run = (objects: any[]): Finding[] => runRules(MeshModel.build(sourced(objects)));

/** The synth error of an app, as cdk8s reports it. */
function synthError(app: { synth(): void }): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('RuleError', () => {
  function caught(): RuleError {
    try {
      new AmbientNamespace(Testing.app(), 'Not_A_Name');
    } catch (e) {
      return e as RuleError;
    }
    throw new Error('no error');
  }

  test('the message is the one finding line: construct path, object, field, value, fix', () => {
    const e = caught();
    expect(e.name).toBe('RuleError');
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toMatch(/^WASM015 Namespace Not_A_Name \(Not_A_Name\): metadata\.name: .* \(got "Not_A_Name"\); pass a name such as "bookinfo"$/);
  });

  test('keeps the structured finding for programs, but not as an own enumerable property, so it is not printed', () => {
    const e = caught();
    expect(e.finding).toMatchObject({ code: 'WASM015', kind: 'Namespace', name: 'Not_A_Name', field: 'metadata.name', value: '"Not_A_Name"' });
    expect(Object.keys(e)).not.toContain('finding');
    expect(inspect(e)).not.toMatch(/finding|origin:|severity:/);
  });

  test('uncaught in an app, Node prints the line and the stack, never the finding', () => {
    const script = `require('sucrase/register/ts'); const { AmbientNamespace } = require('./src/ambient/ambient-namespace'); const { App } = require('cdk8s'); new AmbientNamespace(new App(), 'Not_A_Name');`;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..'), stdio: 'pipe', encoding: 'utf8' });
    } catch (e: any) {
      stderr = e.stderr;
    }
    expect(stderr).toMatch(/^RuleError: WASM015 Namespace Not_A_Name \(Not_A_Name\): metadata\.name: /m);
    expect(stderr).not.toMatch(/finding: \{|severity:|source:/);
    // the source line Node shows above the error is a pointer to the message, not library internals
    expect(stderr).toMatch(/throw error; \/\/ what is wrong, where, and the fix: see the RuleError line below/);
  });
});

describe('did you mean', () => {
  test('a gateway typo at synth names the gateway that exists', () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop');
    ns.addWaypoint();
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [PolicyTarget.gateway('waypont')], rules: [rule()] });
    expect(synthError(app)).toMatch(/WASM005 WasmPlugin shop\/auth \(shop\/Auth\): spec\.targetRefs\[0\]\.name: .*\(got "waypont"\); did you mean "waypoint"\? target the Waypoint/);
  });

  test('a Service typo at synth names the Service that exists', () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop');
    ns.addWaypoint();
    new ApiObject(ns, 'Ledger', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ledger' }, spec: { ports: [{ port: 80 }] } });
    new BasicAuthPlugin(ns, 'Auth', { name: 'auth', targets: [PolicyTarget.service('ledgr')], rules: [rule()] });
    expect(synthError(app)).toMatch(/WASM006 .*\(got "ledgr"\); did you mean "ledger"\? pass the Service construct to PolicyTarget\.fromService\(\)/);
  });

  test('analyze suggests the same names, in the YAML wording', () => {
    const gw = run([...base(), plugin({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop-gatway' }], pluginConfig: GOOD_CONFIG }),
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'shop-gateway', namespace: 'shop' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } }]);
    expect(formatFinding(gw.find((f) => f.code === 'WASM005')!)).toMatch(/\(got "shop-gatway"\); did you mean "shop-gateway"\? create Gateway shop\/shop-gatway or name an existing one/);
    const svc = run([...base(), plugin({ targetRefs: [{ group: '', kind: 'Service', name: 'crat' }], pluginConfig: GOOD_CONFIG })]);
    expect(formatFinding(svc.find((f) => f.code === 'WASM006')!)).toMatch(/\(got "crat"\); did you mean "cart"\? create Service shop\/crat/);
  });

  test('a use-waypoint label naming a waypoint that does not exist suggests the one that does', () => {
    const objects = base().map((o) => (o.kind === 'Namespace' ? { ...o, metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypiont' } } } : o));
    const f = run(objects).find((x) => x.code === 'AMB002')!;
    expect(f.fix).toMatch(/^did you mean "waypoint"\? create the istio-waypoint Gateway shop\/waypiont/);
    expect(f.apiFix).toMatch(/^did you mean "waypoint"\? add the waypoint with AmbientNamespace\.addWaypoint\(\)/);
  });

  test('an environment variable that is not set suggests the one that is', () => {
    process.env.SHOP_ADMIN_AUTH = 'admin:s3cret';
    try {
      expect(() => BasicAuthCredential.fromEnv('SHOP_ADMN_AUTH')).toThrow(/is not set \(got nothing\); did you mean "SHOP_ADMIN_AUTH"\? export SHOP_ADMN_AUTH=/);
    } finally {
      delete process.env.SHOP_ADMIN_AUTH;
    }
  });

  test('no suggestion when nothing is close', () => {
    const f = run([...base(), plugin({ targetRefs: [{ group: '', kind: 'Service', name: 'payments' }], pluginConfig: GOOD_CONFIG })]).find((x) => x.code === 'WASM006')!;
    expect(f.fix).toBe('create Service shop/payments or name an existing one');
  });
});

describe('fixes in the words of whoever made the object', () => {
  // a Service bound to a waypoint in another namespace that admits only its own
  function shared(): { app: ReturnType<typeof Testing.app>; manifests: any[] } {
    const app = Testing.app();
    const infra = new AmbientNamespace(app, 'infra');
    const wp = infra.addWaypoint('Waypoint', { enrollNamespace: false });
    const shop = new AmbientNamespace(app, 'shop');
    shop.useWaypoint(wp);
    return { app, manifests: [infra, shop].flatMap((c) => c.node.findAll().filter(ApiObject.isApiObject).map((o) => o.toJson())) };
  }

  test('synth names the construct API (WaypointNamespaces.ALL), analyze the YAML field (allowedRoutes), from one finding', () => {
    const { app, manifests } = shared();
    const synthLine = synthError(app).split('\n').find((l) => l.includes('AMB005'))!;
    expect(synthLine).toMatch(/; give waypoint infra\/waypoint allowedNamespaces: WaypointNamespaces\.ALL$/);
    const [f] = run(manifests).filter((x) => x.code === 'AMB005');
    expect(formatFinding(f)).toMatch(/; allow namespace shop in the waypoint's allowedRoutes \(from: All, or a Selector matching its labels\)$/);
    expect(formatFindingIn(f, FixWording.CONSTRUCT)).toMatch(/WaypointNamespaces\.ALL$/);
    // and the construct fix is right: with it, the binding is admitted
    const app2 = Testing.app();
    const wp = new AmbientNamespace(app2, 'infra').addWaypoint('Waypoint', { enrollNamespace: false, allowedNamespaces: WaypointNamespaces.ALL });
    new AmbientNamespace(app2, 'shop').useWaypoint(wp);
    expect(() => app2.synth()).not.toThrow();
  });

  test('a cross-namespace target: synth says to target the Service in its own AmbientNamespace', () => {
    const app = Testing.app();
    const other = new AmbientNamespace(app, 'ledger');
    other.addWaypoint();
    const svc = new ApiObject(other, 'Ledger', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ledger' }, spec: { ports: [{ port: 80 }] } });
    const shop = new AmbientNamespace(app, 'shop');
    shop.addWaypoint();
    new BasicAuthPlugin(shop, 'Auth', { name: 'auth', targets: [PolicyTarget.fromService(ServiceReference.fromApiObject(svc))], rules: [rule()] });
    expect(synthError(app)).toMatch(/WASM003 WasmPlugin shop\/auth \(shop\/Auth\): spec\.targetRefs\[0\]\.namespace: .*; target the Service in its own AmbientNamespace: define the plugin in AmbientNamespace ledger/);
  });

  test("an object no construct of ours made keeps the YAML wording at synth", () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop');
    new ApiObject(ns, 'Raw', { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'raw' },
      spec: { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'nope' }], pluginConfig: GOOD_CONFIG } });
    expect(synthError(app)).toMatch(/WASM005 WasmPlugin shop\/raw \(shop\/Raw\): .*; create Gateway shop\/nope or name an existing one/);
  });
});
