import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, FailStrategy, HttpMethod, ImagePullPolicy, IngressGateway, PathMatch,
  IService, PluginPhase, PluginType, PolicyTarget, ServiceReference, TrafficMode, EnvValueSource, WasmPlugin, WasmSource, WaypointTraffic,
} from '../../src';
import { find, synth } from '../helpers';

const MODULE = WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');
const rule = (prefix = '/cart') => new BasicAuthRule({ match: PathMatch.prefix(prefix), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] });

function shop() {
  const app = Testing.app();
  const ns = new AmbientNamespace(app, 'shop');
  return { app, ns };
}

function service(scope: AmbientNamespace, name: string, labels: Record<string, string> = {}): IService {
  return ServiceReference.fromApiObject(new ApiObject(scope, `svc-${name}`, { apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { ports: [{ port: 80, name: 'http' }] } }));
}

describe('WasmPlugin', () => {
  test('renders every field of the 1.30.3 spec', () => {
    // GIVEN
    const { ns } = shop();
    const gw = new IngressGateway(ns, 'Edge', { name: 'edge' });
    // WHEN
    new WasmPlugin(ns, 'Stats', {
      name: 'stats', source: WasmSource.http('https://example.com/stats.wasm'), sha256: 'a'.repeat(64), imagePullPolicy: ImagePullPolicy.ALWAYS,
      imagePullSecret: 'pull', pluginName: 'stats_root', phase: PluginPhase.STATS, priority: 10, failStrategy: FailStrategy.FAIL_RELOAD,
      type: PluginType.HTTP, env: [{ name: 'A', value: '1' }, { name: 'POD_NAME', valueFrom: EnvValueSource.HOST }],
      match: [{ mode: TrafficMode.CLIENT, ports: [80] }], pluginConfig: { level: 'debug' }, targets: [gw],
    });
    // THEN
    const spec = find(synth(ns), 'WasmPlugin', 'stats').spec;
    expect(spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }],
      url: 'https://example.com/stats.wasm', sha256: 'a'.repeat(64), imagePullPolicy: 'Always', imagePullSecret: 'pull', pluginName: 'stats_root',
      phase: 'STATS', priority: 10, failStrategy: 'FAIL_RELOAD', type: 'HTTP',
      vmConfig: { env: [{ name: 'A', value: '1' }, { name: 'POD_NAME', valueFrom: 'HOST' }] },
      match: [{ mode: 'CLIENT', ports: [{ number: 80 }] }], pluginConfig: { level: 'debug' },
    });
  });

  test('a selector plugin renders matchLabels and no targets', () => {
    const app = Testing.app();
    const chart = new AmbientNamespace(app, 'legacy-sidecars');
    new WasmPlugin(chart, 'p', { source: MODULE, selector: { app: 'cart' }, pluginConfig: { basic_auth_rules: [] } });
    const spec = find(synth(chart), 'WasmPlugin', 'p').spec;
    expect(spec.selector).toEqual({ matchLabels: { app: 'cart' } });
    expect(spec.targetRefs).toBeUndefined();
  });

  test('targets a kplus.Service bound to the namespace waypoint', () => {
    const { ns } = shop();
    ns.addWaypoint();
    const svc = new kplus.Service(ns, 'Cart', { metadata: { name: 'cart' }, ports: [{ port: 80 }] });
    new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.fromService(svc)], rules: [rule()] });
    expect(find(synth(ns), 'WasmPlugin', 'cart-auth').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'cart' }]);
  });

  test('BasicAuthPlugin defaults to the basic_auth 1.12.0 module and phase AUTHN, and renders the realm', () => {
    const { ns } = shop();
    const gw = new IngressGateway(ns, 'Edge', { name: 'edge' });
    const p = new BasicAuthPlugin(ns, 'auth', { targets: [gw], realm: 'shop' });
    p.addRule(new BasicAuthRule({ match: PathMatch.exact('/cart'), methods: [HttpMethod.POST], credentials: [BasicAuthCredential.encoded('b2s6dGVzdA==')], hosts: ['*.shop.example'] }));
    const spec = find(synth(ns), 'WasmPlugin', 'auth').spec;
    expect(spec.url).toBe('oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');
    expect(spec.phase).toBe('AUTHN');
    expect(spec.pluginConfig).toEqual({ realm: 'shop', basic_auth_rules: [{ exact: '/cart', request_methods: ['POST'], credentials: ['b2s6dGVzdA=='], hosts: ['*.shop.example'] }] });
  });

  describe('fails at synth, naming path, object, field, value and fix', () => {
    test('fails when the target Gateway does not exist in the plugin namespace', () => {
      const { ns } = shop();
      new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.gateway('edge-istio')], rules: [rule()] });
      // the fix in the construct API's words, as the plugin was made by a construct
      expect(() => synth(ns)).toThrow(/\[shop\/CartAuth\] WASM005 WasmPlugin shop\/cart-auth \(shop\/CartAuth\): spec\.targetRefs\[0\]\.name: .*\(got "edge-istio"\); target the Waypoint or IngressGateway construct itself \(a Gateway name, not its "-istio" Deployment's\)/);
    });

    test('fails on a cross-namespace target', () => {
      const app = Testing.app();
      const other = new AmbientNamespace(app, 'other');
      const wp = other.addWaypoint();
      const ns = new AmbientNamespace(app, 'shop');
      new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [wp], rules: [rule()] });
      expect(() => app.synthYaml()).toThrow(/WASM003 WasmPlugin shop\/cart-auth \(shop\/CartAuth\): spec\.targetRefs\[0\]\.namespace: must be empty: the CRD rejects any namespace.*\(got "other"\)/);
    });

    test('fails on a Service no waypoint serves: no use-waypoint label anywhere', () => {
      const { ns } = shop();
      const svc = service(ns, 'cart');
      new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.fromService(svc)], rules: [rule()] });
      expect(() => synth(ns)).toThrow(/WASM009 WasmPlugin shop\/cart-auth \(shop\/CartAuth\): spec\.targetRefs\[0\]\.name: Service shop\/cart has no istio\.io\/use-waypoint label.*open door.*\(got "cart"\)/);
    });

    test('fails on a Service opted out with use-waypoint: none', () => {
      const { ns } = shop();
      ns.addWaypoint();
      const svc = service(ns, 'cart', { 'istio.io/use-waypoint': 'none' });
      new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.fromService(svc)], rules: [rule()] });
      expect(() => synth(ns)).toThrow(/WASM009 .*opted out with istio\.io\/use-waypoint: none/);
    });

    test('fails on a Service whose waypoint takes no service traffic', () => {
      const { ns } = shop();
      ns.addWaypoint('Waypoint', { trafficType: WaypointTraffic.WORKLOAD });
      const svc = service(ns, 'cart');
      new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.fromService(svc)], rules: [rule()] });
      expect(() => synth(ns)).toThrow(/WASM009 .*waypoint-for is "workload" and takes no service traffic/);
    });

    test('passes once the Service is bound to a waypoint individually', () => {
      const { ns } = shop();
      const wp = ns.addWaypoint('Waypoint', { enrollNamespace: false });
      const svc = service(ns, 'cart');
      wp.bindService(svc);
      new BasicAuthPlugin(ns, 'CartAuth', { name: 'cart-auth', targets: [PolicyTarget.fromService(svc)], rules: [rule()] });
      expect(find(synth(ns), 'Service', 'cart').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    });

    test('fails on a GatewayClass target outside the root namespace', () => {
      const { ns } = shop();
      new BasicAuthPlugin(ns, 'MeshAuth', { name: 'mesh-auth', targets: [PolicyTarget.gatewayClass()], rules: [rule()] });
      expect(() => synth(ns)).toThrow(/WASM008 WasmPlugin shop\/mesh-auth \(shop\/MeshAuth\): spec\.targetRefs\[0\]\.name: a GatewayClass target works only from the root namespace istio-system.*\(got "istio-waypoint"\)/);
    });

    test('fails on a GatewayClass other than istio-waypoint', () => {
      const app = Testing.app();
      const root = new AmbientNamespace(app, 'istio-system');
      new BasicAuthPlugin(root, 'MeshAuth', { name: 'mesh-auth', targets: [PolicyTarget.gatewayClass('istio')], rules: [rule()] });
      expect(() => synth(root)).toThrow(/WASM008 .*only GatewayClass istio-waypoint can be targeted.*\(got "istio"\)/);
    });

    test('fails on a problem in an object the library does not own, at that object\'s path', () => {
      const { ns } = shop();
      service(ns, 'cart', { 'istio.io/use-waypoint': 'missing' });
      expect(() => synth(ns)).toThrow(/\[shop\/svc-cart\] AMB002 Service shop\/cart \(shop\/svc-cart\): metadata\.labels\["istio\.io\/use-waypoint"\]: names waypoint shop\/missing, which does not exist/);
    });
  });

  describe('fails at once on input wrong on its own', () => {
    test('fails on selector together with targets', () => {
      const { ns } = shop();
      expect(() => new BasicAuthPlugin(ns, 'p', { targets: [PolicyTarget.gateway('edge')], selector: { app: 'x' } }))
        .toThrow(/WASM002 WasmPlugin shop\/p \(shop\/p\): spec\.selector: is set together with targets.*\(got \{"app":"x"\}\)/);
    });

    test('fails on a legacy targetRef with two targets (targetRef together with targetRefs)', () => {
      const { ns } = shop();
      expect(() => new BasicAuthPlugin(ns, 'p', { legacyTargetRef: true, targets: [PolicyTarget.gateway('a'), PolicyTarget.gateway('b')] }))
        .toThrow(/WASM016 WasmPlugin shop\/p \(shop\/p\): spec\.targetRef: the legacy singular targetRef takes exactly one Gateway target \(got "Gateway\/b"\)/);
    });

    test('fails on a legacy targetRef to a Service', () => {
      const { ns } = shop();
      expect(() => new BasicAuthPlugin(ns, 'p', { legacyTargetRef: true, targets: [PolicyTarget.service('cart')] })).toThrow(/WASM016 .*\(got "Service\/cart"\)/);
    });

    test('fails on a bad sha256', () => {
      const { ns } = shop();
      expect(() => new WasmPlugin(ns, 'cart-auth', { source: MODULE, sha256: 'abc123' }))
        .toThrow(/WASM011 WasmPlugin shop\/cart-auth \(shop\/cart-auth\): spec\.sha256: must be 64 lowercase hex characters \(got "abc123"\); pass/);
    });

    test('fails on more than 16 targets', () => {
      const { ns } = shop();
      expect(() => new WasmPlugin(ns, 'p', { source: MODULE, targets: Array.from({ length: 17 }, (_, i) => PolicyTarget.gateway(`g${i}`)) }))
        .toThrow(/WASM010 .*spec\.targetRefs/);
    });

    test('fails on an unsupported URL scheme', () => {
      expect(() => WasmSource.fromUrl('ftp://example.com/x.wasm')).toThrow(/WASM012 spec\.url: scheme "ftp" is not one of oci, http, https, file \(got "ftp:\/\/example\.com\/x\.wasm"\)/);
    });

    test('fails on a basic_auth rule with no methods, in the rule\'s own constructor', () => {
      expect(() => new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [], credentials: [BasicAuthCredential.plain('ok', 'test')] }))
        .toThrow(/^BA004 BasicAuthRule: request_methods: must list at least one method, so the module rejects the whole config \(got \[\]\); pass the methods to guard, e\.g\. methods: \[HttpMethod\.GET, HttpMethod\.POST\]/);
    });

    test('fails on a rule with no credentials, in the rule\'s own constructor', () => {
      expect(() => new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [HttpMethod.GET], credentials: [] }))
        .toThrow(/^BA005 BasicAuthRule: credentials: must list at least one credential, so the module rejects the whole config \(got \[\]\); pass at least one credential/);
    });

    test('fails on an empty path matcher, in the rule\'s own constructor', () => {
      expect(() => new BasicAuthRule({ match: PathMatch.suffix(''), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] }))
        .toThrow(/^BA003 BasicAuthRule: suffix: is empty: the module accepts it but leaves the rule's match type uninitialised.*\(got ""\); pass the path to match, e\.g\. PathMatch\.suffix\("\/productpage"\)$/);
    });

    test('fails on a rule that can never match: a lower-case method or a prefix without "/" (the module keeps the rest: an open door)', () => {
      expect(() => new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [HttpMethod.of('get')], credentials: [BasicAuthCredential.plain('ok', 'test')] }))
        .toThrow(/^BA010 BasicAuthRule: request_methods\[0\]: is not an upper-case method.*\(got "get"\); use HttpMethod\.GET$/);
      expect(() => new BasicAuthRule({ match: PathMatch.prefix('cart'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] }))
        .toThrow(/^BA010 BasicAuthRule: prefix: does not start with "\/".*\(got "cart"\); pass PathMatch\.prefix\("\/cart"\)$/);
      // a hand-written pluginConfig in a WasmPlugin construct: checked at once, the fix in the construct API's words
      const { ns } = shop();
      expect(() => new WasmPlugin(ns, 'lower', { source: MODULE, pluginConfig: { basic_auth_rules: [{ prefix: '/cart', request_methods: ['get'], credentials: ['ok:test'] }] } }))
        .toThrow(/BA010 WasmPlugin shop\/lower .*request_methods\[0\]: is not an upper-case method.*\(got "get"\); use HttpMethod\.GET/);
    });

    test('fails on zero or two path matchers in a hand-written config', () => {
      const { ns } = shop();
      expect(() => new WasmPlugin(ns, 'p', { source: MODULE, pluginConfig: { basic_auth_rules: [{ request_methods: ['GET'], credentials: ['ok:test'] }] } }))
        .toThrow(/BA002 WasmPlugin shop\/p \(shop\/p\): spec\.pluginConfig\.basic_auth_rules\[0\]: must have exactly one of prefix, exact, suffix \(has none\)/);
      expect(() => new WasmPlugin(ns, 'q', { source: MODULE, pluginConfig: { basic_auth_rules: [{ prefix: '/a', exact: '/b', request_methods: ['GET'], credentials: ['ok:test'] }] } }))
        .toThrow(/BA002 .*\(has prefix and exact\), so the module rejects the whole config \(got \{"prefix":"\/a","exact":"\/b"\}\)/);
    });

    test('fails on a credential the module would reject', () => {
      // the value is never echoed: a malformed credential is still a credential
      expect(() => BasicAuthCredential.encoded('admin')).toThrow(/BA006 BasicAuthCredential\.encoded: token: is neither "user:password" nor base64 the module decodes.*\(got "\*\*\* \(5 characters\)"\)/);
      expect(() => BasicAuthCredential.encoded('alice:S3cretPassw0rd')).toThrow(/contains ":".*\(got "alice:\*\*\*"\)/);
      expect(() => BasicAuthCredential.encoded('alice:S3cretPassw0rd')).not.toThrow(/S3cret/);
      const { ns } = shop();
      expect(() => new WasmPlugin(ns, 'p', { source: MODULE, pluginConfig: { basic_auth_rules: [{ prefix: '/a', request_methods: ['GET'], credentials: ['admin'] }] } }))
        .toThrow(/BA006 WasmPlugin shop\/p \(shop\/p\): spec\.pluginConfig\.basic_auth_rules\[0\]\.credentials\[0\]/);
    });

    test('fails on a user name with a colon', () => {
      // what follows the ":" is most often the password, passed whole as "user:password": it is not shown
      expect(() => BasicAuthCredential.plain('a:b', 'c')).toThrow(/BA006 .*user: must be non-empty and contain no ":" \(got "a:\*\*\*"\)/);
    });
  });
});
