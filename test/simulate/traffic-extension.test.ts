// TrafficExtensions in the simulated chain: one order with WasmPlugins, Lua run for real.
// Sources at Istio 1.30.3: pilot/pkg/config/kube/extensions/translate.go (translateWasmPlugin: the name
// <name>~istio-translated-wasmplugin, the creation timestamp kept), pilot/pkg/model/push_context.go
// (initTrafficExtensions: sortConfigByCreationTime, then per namespace; TrafficExtensionsByListenerInfo: the
// proxy's namespace, the root namespace, the Service's; sortByPriority: stable, unset = MinInt32),
// pilot/pkg/networking/core/listener_waypoint.go (buildWaypointHTTPFilters: AUTHN, authn, AUTHZ, authz, STATS,
// UNSPECIFIED), pilot/pkg/model/extensions.go (MatchType: Lua on HTTP chains only; convertToTrafficExtensionWrapper).
import { MeshModel } from '../../src/model/mesh-model';
import { refusalOf } from '../../src/rules/wasm-plugin';
import { closeLuaRuntime } from '../../src/simulate/lua-runtime';
import { basicAuth, pluginsAt, rule, shop, sim, toGateway, toService } from './helpers';

afterAll(() => closeLuaRuntime());

const te = (name: string, spec: any, metadata: any = {}) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'TrafficExtension',
  metadata: { name, namespace: 'shop', ...metadata }, spec: { targetRefs: toGateway('waypoint'), ...spec } });
const lua = (name: string, code: string, phase = 'AUTHN', extra: any = {}, metadata: any = {}) => te(name, { phase, lua: { inlineCode: code }, ...extra }, metadata);
const auth = (extra: any = {}) => basicAuth('auth', 'shop', toGateway('waypoint'), { basic_auth_rules: [rule({ prefix: '/cart' })] }, extra);
const CART = 'http://cart:9080/cart';
const get = (objects: any[], headers: Record<string, string> = {}, url = CART) => sim(shop(objects)).simulate({ from: 'shop/client', url, headers });

const INJECT = 'function envoy_on_request(h)\n  h:headers():add("authorization", "Basic b2s6dGVzdA==")\nend';
const DENY = 'function envoy_on_request(h)\n  if h:headers():get(":path"):sub(1, 6) == "/admin" then\n    h:respond({[":status"] = "403"}, "admin is closed")\n  end\nend';

describe('one order for WasmPlugins and TrafficExtensions', () => {
  test('phase first: an AUTHZ Lua filter runs after an AUTHN WasmPlugin, whatever the names', () => {
    const r = get([auth(), lua('aaa', INJECT, 'AUTHZ')]);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/auth denied', 'shop/aaa not-reached']);
    expect(r.status).toBe(401);
  });

  test('a Lua filter that runs first can add the credential the basic_auth module then accepts', () => {
    const r = get([auth({ spec: { priority: 1 } }), lua('inject', INJECT, 'AUTHN', { priority: 10 })]);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/inject passed', 'shop/auth passed']);
    expect(r.status).toBe(200);
    const trace = r.hops.find((h) => h.kind === 'waypoint')!.plugins![0];
    expect(trace.detail).toBe('envoy_on_request sets authorization: Basic b2s6dGVzdA==');
    expect(trace.orderKey).toBe('phase AUTHN, priority 10, namespace shop, no creationTimestamp, name "inject"');
  });

  test('same phase and priority, no creation time: names decide, the WasmPlugin\'s being <name>~istio-translated-wasmplugin', () => {
    // "auth~istio-translated-wasmplugin" sorts before "auth2" ('~' > '2' is false: '2' is 0x32, '~' is 0x7e)
    const r = get([auth(), lua('auth2', INJECT), lua('aut', INJECT)]);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/aut passed', 'shop/auth2 passed', 'shop/auth passed']);
    const keys = r.hops.find((h) => h.kind === 'waypoint')!.plugins!.map((p) => p.orderKey);
    expect(keys[2]).toMatch(/name "auth~istio-translated-wasmplugin"$/);
    expect(r.notes.join('\n')).toMatch(/<name>~istio-translated-wasmplugin/);
  });

  test('creation time before name: an older TrafficExtension runs first (sortConfigByCreationTime)', () => {
    const old = { metadata: { creationTimestamp: '2026-01-01T00:00:00Z' } };
    const r = get([auth({ metadata: { creationTimestamp: '2026-06-01T00:00:00Z' } }), lua('zzz', INJECT, 'AUTHN', {}, old.metadata)]);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/zzz passed', 'shop/auth passed']);
  });

  test('a Lua deny answers with its own status, body and headers', () => {
    const r = get([lua('deny', DENY)], {}, 'http://cart:9080/admin/x');
    expect(r.status).toBe(403);
    expect(r.response).toEqual({ body: 'admin is closed' });
    expect(r.reason).toMatch(/denied by TrafficExtension shop\/deny at waypoint shop\/waypoint: envoy_on_request answers 403 with respond\(\)/);
    expect(get([lua('deny', DENY)], {}, 'http://cart:9080/cart').status).toBe(200);
  });

  test('a Lua error fails open: the request goes on, with a note', () => {
    const r = get([lua('boom', 'function envoy_on_request(h)\n  local v = h:headers():get("x-missing")\n  h:headers():add("x", v:lower())\nend')]);
    expect(r.status).toBe(200);
    expect(r.notes.join('\n')).toMatch(/TrafficExtension shop\/boom: the Lua script raised .*attempt to index a nil value.*fails open/);
  });

  test('Lua outside the modelled API makes the request unknown, with the reason', () => {
    const r = get([lua('body', 'function envoy_on_request(h) local b = h:body() end')]);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/handle:body\(\) \(bodies are not simulated\), which the simulator does not model/);
  });

  test('a Lua filter whose code does not parse leaves the proxy on its previous configuration: unknown, even behind a deny', () => {
    const r = get([lua('bad', 'function envoy_on_request(h')]);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/line 1, column 28: '\)' expected near '<eof>'\), so Envoy refuses the configuration/);
    // the refused configuration is the whole listener, whatever filter would answer first
    expect(get([auth({ spec: { priority: 5 } }), lua('bad', 'function envoy_on_request(h', 'AUTHZ')]).status).toBe('unknown');
  });

  test('a response Lua filter adds a header to the response (Istio\'s lua-header-injector testdata)', () => {
    const r = get([lua('resp', 'function envoy_on_response(response_handle)\n  response_handle:headers():add("x-lua-injected", "true")\nend')]);
    expect(r.status).toBe(200);
    expect(r.response).toEqual({ headers: { 'x-lua-injected': 'true' } });
    expect(r.hops[r.hops.length - 1]).toMatchObject({ kind: 'response', at: 'shop/waypoint' });
  });

  test('a response filter also passes a local reply (encoding starts at the first filter), and can change its status', () => {
    const r = get([auth(), lua('teapot', 'function envoy_on_response(h) h:headers():replace(":status", "418") end', 'STATS')]);
    expect(r.status).toBe(418);
    expect(r.reason).toMatch(/on the way back a Lua filter sets :status 418/);
  });

  test('reading a header of the application\'s response is unknown (Istio\'s lua-phase-* testdata)', () => {
    const phase = (n: string) => `function envoy_on_response(response_handle)\n  local existing = response_handle:headers():get("x-phase-order")\n  if existing then\n    response_handle:headers():replace("x-phase-order", existing .. "${n}")\n  else\n    response_handle:headers():add("x-phase-order", "${n}")\n  end\nend`;
    const r = get([lua('p-authn', phase('1'), 'AUTHN'), lua('p-authz', phase('2'), 'AUTHZ'), lua('p-stats', phase('3'), 'STATS')]);
    expect(r.status).toBe('unknown');
    // the STATS filter is last on the request, so first on the response
    expect(r.reason).toMatch(/TrafficExtension shop\/p-stats on the response: it reads header "x-phase-order"/);
  });

  test('Lua runs on HTTP chains only: on a TCP port it is filtered out', () => {
    const tcp = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { app: 'db' }, ports: [{ name: 'tcp-db', port: 5432 }] } };
    const r = sim(shop([tcp, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db' }] } } } },
      lua('deny-all', 'function envoy_on_request(h) h:respond({[":status"] = "403"}) end', 'AUTHN', { targetRefs: toService('db') })])).simulate({ from: 'shop/client', url: 'http://db:5432/' });
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/deny-all filtered']);
  });

  test('a TrafficExtension with both wasm and lua is not in force', () => {
    const r = get([te('both', { wasm: { url: 'oci://x/y:1' }, lua: { inlineCode: INJECT } })]);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/both not-in-force']);
  });

  test('a phase outside TrafficExtension\'s enum: not in force, for the simulator and for refusalOf (one answer)', () => {
    const bad = te('bad-phase', { phase: 'EARLY', wasm: { url: 'oci://x/y:1' } });
    const r = get([bad]);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/bad-phase not-in-force']);
    const detail = r.hops.find((h) => h.kind === 'waypoint')!.plugins![0].detail;
    const entry = MeshModel.build([{ manifest: bad, origin: 'te.yaml' }]).trafficExtensions[0];
    expect(refusalOf(entry)).toBe('phase "EARLY" is not one of AUTHN, AUTHZ, STATS, UNSPECIFIED_PHASE; the API server refuses it');
    expect(detail).toBe(`not in force: ${refusalOf(entry)}`);
  });

  test('targetRefs of a Service reach its waypoint chain, as for a WasmPlugin', () => {
    const r = get([lua('svc', DENY, 'AUTHN', { targetRefs: toService('cart') })], {}, 'http://cart:9080/admin');
    expect(r.status).toBe(403);
  });
});
