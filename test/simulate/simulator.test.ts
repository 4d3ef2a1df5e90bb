// The request path: clients, names, waypoint binding, plugin order, plugins not in force, and what stays unknown.
import { MeshModel } from '../../src/model/mesh-model';
import { SimulationInputError, Simulator, simulate } from '../../src/simulate';
import {
  ADMIN3, basicAuth, curl, deploy, distObjects, ingress, ns, path_, pluginsAt, route, rule, shop, sim, svc, toGateway, toService, waypoint,
} from './helpers';

const CART = 'http://cart:9080/cart';
const guardCart = (name = 'cart-auth', extra: any = {}, config: any = { basic_auth_rules: [rule({ prefix: '/cart' })] }) =>
  basicAuth(name, 'shop', toService('cart'), config, extra);

describe('name resolution (from the client\'s namespace)', () => {
  const s = sim(distObjects());
  test.each([
    ['http://reviews:9080/reviews/1', 'short name'],
    ['http://reviews.default:9080/reviews/1', '<service>.<namespace>'],
    ['http://reviews.default.svc:9080/reviews/1', '<service>.<namespace>.svc'],
    ['http://reviews.default.svc.cluster.local:9080/reviews/1', 'fully qualified name'],
    ['http://reviews.default.svc.cluster.local.:9080/reviews/1', 'fully qualified name'],
    ['reviews:9080/reviews/1', 'short name'],
  ])('%s resolves to Service default/reviews (%s)', (url, form) => {
    const r = curl(s, url);
    expect(r.status).toBe(401);
    expect(r.hops[1]).toMatchObject({ kind: 'resolve', at: 'default/reviews' });
    expect(r.hops[1].detail).toContain(form);
  });

  test('a short name is looked up in the client\'s namespace, so from another namespace it is not found', () => {
    const s2 = sim([...shop(), ...distObjects()]);
    const r = s2.simulate({ from: 'shop/client', url: 'http://reviews:9080/reviews/1' });
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/host reviews is not among the manifests \(no Service shop\/reviews/);
    // the same Service addressed with its namespace is found, and its waypoint (in default) runs the plugins
    expect(s2.simulate({ from: 'shop/client', url: 'http://reviews.default:9080/reviews/1' }).status).toBe(401);
  });

  test('the ingress Gateway\'s Service is <gateway>-istio, on the listener port', () => {
    const r = curl(s, 'http://bookinfo-gateway-istio/productpage', { Authorization: ADMIN3 });
    expect(r.status).toBe(200);
    expect(r.hops[1].detail).toMatch(/istiod generates for ingress Gateway default\/bookinfo-gateway \(listener http 80\/HTTP\)/);
    expect(curl(s, 'http://bookinfo-gateway-istio:8080/productpage').reason).toMatch(/no listener on port 8080/);
    expect(curl(s, 'http://bookinfo-gateway/productpage').status).toBe('unknown');
  });

  test('unknown: a host not in the manifests, an IP address, a port the Service lacks, https', () => {
    expect(curl(s, 'http://nowhere/x').reason).toMatch(/host nowhere is not among the manifests/);
    expect(curl(s, 'http://10.96.0.12:9080/x').reason).toMatch(/IP address/);
    expect(curl(s, 'http://reviews:80/reviews/1').reason).toMatch(/Service default\/reviews has no port 80 \(it has 9080\)/);
    expect(curl(s, 'https://reviews:9080/reviews/1').reason).toMatch(/https:\/\/ to Service default\/reviews is not simulated/);
  });

  test('a ServiceEntry host with an address goes through its waypoint; without an address it is unknown', () => {
    const se = (name: string, addresses?: string[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace: 'shop' },
      spec: { hosts: [`${name}.example.com`], ...(addresses ? { addresses } : {}), ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' } });
    const s2 = sim(shop([se('billing', ['240.0.0.1']), se('mail'),
      basicAuth('billing-auth', 'shop', [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'billing' }], { basic_auth_rules: [rule({ prefix: '/' })] })]));
    const r = s2.simulate({ from: 'shop/client', url: 'http://billing.example.com/pay' });
    expect(r.status).toBe(401);
    expect(r.reason).toMatch(/billing-auth at waypoint shop\/waypoint/);
    expect(s2.simulate({ from: 'shop/client', url: 'http://billing.example.com/pay', headers: { Authorization: 'Basic b2s6dGVzdA==' } }).status).toBe(200);
    expect(s2.simulate({ from: 'shop/client', url: 'http://mail.example.com/' }).reason).toMatch(/no addresses/);
  });
});

describe('clients (SEMANTICS 1.1)', () => {
  test('unknown: a client not in the ambient mesh, with the reason', () => {
    const s = sim([ns('plain', {}), deploy('c', 'plain'), ...shop()]);
    const r = s.simulate({ from: 'plain/c', url: 'http://cart.shop:9080/cart' });
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/not in the ambient mesh: neither the pod nor Namespace plain is labelled istio.io\/dataplane-mode=ambient/);
    expect(path_(r)).toEqual(['client plain/c']);
  });

  test('pod labels: ambient captures in any namespace, none opts out of an ambient namespace', () => {
    const s = sim([ns('plain', {}), deploy('in', 'plain', { 'istio.io/dataplane-mode': 'ambient' }), deploy('out', 'shop', { 'istio.io/dataplane-mode': 'none' }), ...shop([guardCart()])]);
    expect(s.simulate({ from: 'plain/in', url: 'http://cart.shop:9080/cart' }).status).toBe(401);
    expect(s.simulate({ from: 'shop/out', url: CART }).reason).toMatch(/pod label istio.io\/dataplane-mode=none/);
  });

  test('a sidecar-injected client is never captured', () => {
    const injected = deploy('side', 'shop', {}, { metadata: { annotations: { 'sidecar.istio.io/status': '{}' } } });
    const s = sim([...shop(), injected, ns('legacy', { 'istio-injection': 'enabled', 'istio.io/dataplane-mode': 'ambient' }), deploy('app', 'legacy')]);
    expect(s.simulate({ from: 'shop/side', url: CART }).reason).toMatch(/injected sidecar/);
    expect(s.simulate({ from: 'legacy/app', url: 'http://cart.shop:9080/cart' }).reason).toMatch(/would get a sidecar/);
  });

  test('fails on a client that is not among the manifests (bad input, not unknown), naming the closest one; a kind can be named', () => {
    const s = sim(distObjects());
    expect(() => s.simulate({ from: 'default/nobody', url: 'http://reviews:9080/' }))
      .toThrow(/^from: no Deployment, .* named nobody in namespace default among the manifests \(got "default\/nobody"\); name a workload/);
    expect(() => s.simulate({ from: 'default/crul', url: 'http://reviews:9080/' })).toThrow(/did you mean "default\/curl"\?/);
    expect(() => s.simulate({ from: 'defualt/curl', url: 'http://reviews:9080/' })).toThrow(/no .* named curl in namespace defualt .*did you mean "default\/curl"\?/);
    expect(() => s.simulate({ from: 'default/deplyo/curl', url: 'http://reviews:9080/' })).toThrow(/"deplyo" is not a workload kind .*did you mean "deploy"\?/);
    expect(s.simulate({ from: 'default/deploy/curl', url: 'http://reviews:9080/reviews/1' }).status).toBe(401);
    expect(() => s.simulate({ from: 'default/pod/curl', url: 'http://reviews:9080/' })).toThrow(/no Pod named curl/);
  });

  test('a host that is not among the manifests stays unknown (it may be outside), with the closest Service', () => {
    const r = sim(distObjects()).simulate({ from: 'default/curl', url: 'http://reviewz:9080/' });
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/host reviewz is not among the manifests .*; did you mean Service default\/reviews\?$/);
  });

  test('a batch check with a client that does not exist is bad input naming the check', () => {
    const s = sim(distObjects());
    expect(() => s.check([{ name: 'typo', from: 'default/crul', url: 'http://reviews:9080/', expect: 200 }]))
      .toThrow(/^check "typo": from: .*did you mean "default\/curl"\?/);
  });

  test('fails on a malformed client, URL, header or method (SimulationInputError)', () => {
    const s = sim(distObjects());
    expect(() => s.simulate({ from: 'curl', url: 'http://reviews:9080/' })).toThrow(/from: must be <namespace>\/<workload>.*"curl"/);
    expect(() => s.simulate({ from: 'default/thing/curl', url: 'http://reviews:9080/' })).toThrow(/"thing" is not a workload kind/);
    expect(() => s.simulate({ from: 'default/curl', url: 'ftp://reviews/' })).toThrow(SimulationInputError);
    expect(() => s.simulate({ from: 'default/curl', url: 'http://reviews:99999/' })).toThrow(/port "99999"/);
    expect(() => s.simulate({ from: 'default/curl', url: 'http://reviews/', headers: { 'Bad Name': 'x' } })).toThrow(/header: name must be a token/);
    expect(() => s.simulate({ from: 'default/curl', url: 'http://reviews/', method: 'G T' })).toThrow(/method/);
  });
});

describe('waypoint binding (SEMANTICS 1.2, 1.3)', () => {
  test('the open door: a plugin on a Service no waypoint serves never runs, so the request gets 200', () => {
    // synth refuses this (WASM009), so the model is built from objects directly
    const s = sim(shop([guardCart()], { 'istio.io/dataplane-mode': 'ambient' }));
    const r = s.simulate({ from: 'shop/client', url: CART });
    expect(r.status).toBe(200);
    expect(path_(r)).toEqual(['client shop/client', 'resolve shop/cart', 'ztunnel shop/client', 'destination shop/cart']);
    expect(r.hops[2].detail).toMatch(/no waypoint for Service shop\/cart .*has no istio.io\/use-waypoint label/);
    expect(r.notes.join('\n')).toMatch(/WasmPlugin shop\/cart-auth targets Service shop\/cart, but no waypoint serves it.*open door/);
  });

  test('waypoint-for: workload takes no Service traffic, so a Service plugin never applies: 200', () => {
    const objects = shop([guardCart()]).map((o) => (o.kind === 'Gateway' ? waypoint('shop', { 'istio.io/waypoint-for': 'workload' }) : o));
    const r = sim(objects).simulate({ from: 'shop/client', url: CART });
    expect(r.status).toBe(200);
    expect(r.hops[2].detail).toMatch(/istio.io\/waypoint-for is "workload" and takes no service traffic/);
  });

  test('waypoint-for: all serves Services: the plugin applies', () => {
    const objects = shop([guardCart()]).map((o) => (o.kind === 'Gateway' ? waypoint('shop', { 'istio.io/waypoint-for': 'all' }) : o));
    expect(sim(objects).simulate({ from: 'shop/client', url: CART }).status).toBe(401);
  });

  test('a Service labelled use-waypoint: none skips the namespace waypoint', () => {
    const objects = shop([guardCart(), basicAuth('all', 'shop', toGateway('waypoint'), { basic_auth_rules: [rule({ prefix: '/' })] })])
      .map((o) => (o.kind === 'Service' && o.metadata.name === 'cart' ? svc('cart', 'shop', { 'istio.io/use-waypoint': 'none' }) : o));
    const s = sim(objects);
    expect(s.simulate({ from: 'shop/client', url: CART }).status).toBe(200);
    expect(s.simulate({ from: 'shop/client', url: 'http://web:9080/' }).status).toBe(401);
  });

  test('a port declared TCP takes the waypoint\'s TCP chain, where HTTP plugins do not run', () => {
    const objects = shop([guardCart()]).map((o) => (o.kind === 'Service' && o.metadata.name === 'cart' ? svc('cart', 'shop', {}, 9080, 'tcp-cart') : o));
    const r = sim(objects).simulate({ from: 'shop/client', url: CART });
    expect(r.status).toBe(200);
    expect(r.hops.find((h) => h.kind === 'waypoint')!.plugins![0]).toMatchObject({ outcome: 'filtered', detail: expect.stringMatching(/TCP chain/) });
  });

  test('a Service with no workload behind it: the plugins decide, but a request they let through is unknown', () => {
    const s = sim([ns('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }), waypoint('shop'), svc('cart', 'shop'), deploy('client', 'shop'), guardCart()]);
    expect(s.simulate({ from: 'shop/client', url: CART }).status).toBe(401);
    expect(s.simulate({ from: 'shop/client', url: 'http://cart:9080/other' }).reason).toMatch(/no known endpoints/);
  });
});

describe('plugin order (SEMANTICS 5.1, 5.2): which 401 comes first', () => {
  // two plugins guarding the same path, told apart by their realm
  const realm = (name: string, realmName: string, spec: any = {}, metadata: any = {}) =>
    basicAuth(name, 'shop', toGateway('waypoint'), { realm: realmName, basic_auth_rules: [rule({ prefix: '/' })] }, { spec, metadata });
  const first = (objects: any[]) => sim(shop(objects)).simulate({ from: 'shop/client', url: CART }).response!.headers!['WWW-Authenticate'];

  test('a higher priority runs first', () => {
    expect(first([realm('a', 'a'), realm('b', 'b', { priority: 10 })])).toBe('Basic realm=b');
  });

  test('phase beats priority: AUTHN runs before AUTHZ', () => {
    expect(first([realm('a', 'a', { phase: 'AUTHZ', priority: 1000 }), realm('b', 'b', { phase: 'AUTHN' })])).toBe('Basic realm=b');
    expect(first([realm('a', 'a', { phase: 'STATS' }), realm('b', 'b', { phase: 'UNSPECIFIED_PHASE' })])).toBe('Basic realm=a');
  });

  test('an unset priority sorts after a negative one, not as 0', () => {
    const r = sim(shop([realm('a', 'a'), realm('b', 'b', { priority: -5 })])).simulate({ from: 'shop/client', url: CART });
    expect(r.response!.headers!['WWW-Authenticate']).toBe('Basic realm=b');
    expect(r.notes.join('\n')).toMatch(/unset priority sorts after every set priority/);
  });

  test('same phase and priority, no creationTimestamp: by synthetic name, so "ab" runs before "a" (~ sorts after letters)', () => {
    const r = sim(shop([realm('a', 'a'), realm('ab', 'ab')])).simulate({ from: 'shop/client', url: CART });
    expect(r.response!.headers!['WWW-Authenticate']).toBe('Basic realm=ab');
    const ran = r.hops.find((h) => h.kind === 'waypoint')!.plugins!.filter((p) => p.order !== undefined);
    expect(ran.map((p) => p.plugin)).toEqual(['shop/ab', 'shop/a']);
    expect(ran[0].orderKey).toContain('"ab~istio-translated-wasmplugin"');
  });

  test('with creationTimestamps the older plugin runs first, whatever its name', () => {
    expect(first([
      realm('a', 'a', {}, { creationTimestamp: '2025-01-02T00:00:00Z' }),
      realm('z', 'z', {}, { creationTimestamp: '2025-01-01T00:00:00Z' }),
    ])).toBe('Basic realm=z');
  });

  test('plugins after the one that answered are listed as not reached', () => {
    const r = sim(shop([realm('a', 'a'), realm('b', 'b', { priority: 10 })])).simulate({ from: 'shop/client', url: CART });
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/b denied', 'shop/a not-reached']);
  });
});

describe('plugins not in force, filtered, or undecidable', () => {
  const run = (objects: any[], url = CART) => sim(shop(objects)).simulate({ from: 'shop/client', url });

  test('a basic_auth config the module rejects makes the answer unknown (the proxy refuses the extension config), and the trace says why', () => {
    const r = run([guardCart('broken', {}, { basic_auth_rules: [rule({ prefix: '/cart' }, ['admin'])] })]);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/shop\/broken .*module rejects this config .*credentials\[0\].*"\*\*\* \(5 characters\)"/);
    const p = r.hops.find((h) => h.kind === 'waypoint')!.plugins![0];
    expect(p).toMatchObject({ plugin: 'shop/broken', attached: true, outcome: 'unknown' });
    expect(p.detail).toMatch(/a running proxy keeps its previous listeners and a restarted one never becomes ready/);
    // the credential the module rejects is never shown
    expect(JSON.stringify(r)).not.toContain('"admin"');
  });

  test('a rule the module accepts but that never matches leaves the rest of the config in force', () => {
    // "post" is inert (methods compare exactly); the GET rule still guards /cart
    const r = run([guardCart('mixed', {}, { basic_auth_rules: [rule({ prefix: '/cart' }, ['ok:test'], ['post']), rule({ prefix: '/cart' }, ['ok:test'], ['GET'])] })]);
    expect(r.status).toBe(401);
  });

  test('a plugin the API server refuses (selector together with targetRefs) is not in force', () => {
    const r = run([guardCart('both', { spec: { selector: { matchLabels: { app: 'x' } } } })]);
    expect(r.status).toBe(200);
    expect(r.hops.find((h) => h.kind === 'waypoint')!.plugins![0].detail).toMatch(/API server or Istio's webhook refuses it: spec.selector/);
  });

  test('match.ports never matches a waypoint HTTP chain (port 0); NETWORK plugins skip HTTP chains', () => {
    const r = run([guardCart('ported', { spec: { match: [{ ports: [{ number: 9080 }] }] } }), guardCart('net', { spec: { type: 'NETWORK' } })]);
    expect(r.status).toBe(200);
    expect(pluginsAt(r, 'waypoint')).toEqual(['shop/ported filtered', 'shop/net filtered']);
  });

  test('an unknown module in AUTHN makes the status unknown; in STATS it is assumed to pass, and the trace says so', () => {
    const other = (phase: string) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: `jwt-${phase.toLowerCase()}`, namespace: 'shop' },
      spec: { url: 'oci://example.com/jwt-check:2.0', phase, targetRefs: toGateway('waypoint') } });
    const authn = run([other('AUTHN')]);
    expect(authn.status).toBe('unknown');
    expect(authn.reason).toMatch(/jwt-authn at waypoint shop\/waypoint: runs module oci:\/\/example.com\/jwt-check:2.0 in phase AUTHN/);
    const stats = run([other('STATS')]);
    expect(stats.status).toBe(200);
    expect(stats.notes.join('\n')).toMatch(/jwt-stats .* assumed to pass/);
  });

  test('a 401 from an earlier plugin is decided even when an unknown AUTHZ module follows', () => {
    const r = run([guardCart(), { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'opa', namespace: 'shop' },
      spec: { url: 'oci://example.com/opa:1', phase: 'AUTHZ', targetRefs: toGateway('waypoint') } }]);
    expect(r.status).toBe(401);
  });

  test('a TrafficExtension carrying the basic_auth module is enforced; Lua with an empty handler in AUTHZ lets the request through', () => {
    const te = (name: string, body: any, phase = 'AUTHN') => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'TrafficExtension', metadata: { name, namespace: 'shop' },
      spec: { phase, targetRefs: toService('cart'), ...body } });
    const wasm = te('te-auth', { wasm: { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', pluginConfig: { basic_auth_rules: [rule({ prefix: '/' })] } } });
    expect(run([wasm]).reason).toMatch(/denied by TrafficExtension shop\/te-auth/);
    expect(run([te('lua', { lua: { inlineCode: 'function envoy_on_request(h) end' } }, 'AUTHZ')]).status).toBe(200);
  });

  test('module fetch is assumed to succeed, and the trace says what failure would do', () => {
    expect(run([guardCart()]).notes.join('\n')).toMatch(/assumed to be fetched .*403 "RBAC: access denied" under FAIL_CLOSE/);
  });
});

describe('the library API', () => {
  test('simulate() takes plain manifests, sourced manifests, a model or a simulator', () => {
    const objects = shop([guardCart()]);
    const request = { from: 'shop/client', url: CART };
    expect(simulate(objects, request).status).toBe(401);
    expect(simulate(MeshModel.build(objects.map((manifest) => ({ manifest, origin: 'x' }))), request).status).toBe(401);
    expect(simulate(Simulator.from(objects), request).status).toBe(401);
    expect(simulate(objects, request).hops[0].origin).toMatch(/^objects\[\d+\]$/);
  });

  test('results are deterministic: the same request gives the same JSON', () => {
    const s = sim(distObjects());
    const a = JSON.stringify(curl(s, 'http://productpage:9080/productpage', { Authorization: ADMIN3 }));
    expect(JSON.stringify(sim(distObjects()).simulate({ from: 'default/curl', url: 'http://productpage:9080/productpage', headers: { Authorization: ADMIN3 } }))).toBe(a);
  });

  test('productpage\'s API answers with the status of its call: /api/v1/products/0/reviews gets the reviews plugin\'s 401', () => {
    const r = curl(sim(distObjects()), 'http://productpage:9080/api/v1/products/0/reviews', { Authorization: ADMIN3 });
    expect(r.status).toBe(401);
    expect(r.reason).toMatch(/productpage answers with the status of its call http:\/\/reviews:9080\/reviews\/0/);
    expect(curl(sim(distObjects()), 'http://productpage:9080/api/v1/products/0', { Authorization: ADMIN3 }).status).toBe(200);
  });

  test('productpage reads its call targets from DETAILS_HOSTNAME and SERVICES_DOMAIN', () => {
    const objects = distObjects();
    const pp = objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata?.name === 'productpage-v1')!;
    pp.manifest.spec.template.spec.containers[0].env = [{ name: 'SERVICES_DOMAIN', value: 'default.svc.cluster.local' }];
    const r = curl(sim(objects), 'http://productpage:9080/productpage', { Authorization: ADMIN3 });
    expect(r.subRequests.map((c) => c.result.request.url)).toEqual([
      'http://details.default.svc.cluster.local:9080/details/0', 'http://reviews.default.svc.cluster.local:9080/reviews/0',
    ]);
  });

  test('ingress routes to a Service with istio.io/ingress-use-waypoint go through its waypoint chain', () => {
    const objects = [...shop([guardCart()]), ingress('edge', 'shop'),
      route('r', 'shop', { parentRefs: [{ name: 'edge' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/cart' } }], backendRefs: [{ name: 'cart', port: 9080 }] }] })];
    const url = 'http://edge-istio.shop/cart';
    const direct = sim(objects).simulate({ from: 'shop/client', url });
    // the namespace waypoint sees client -> gateway (1.4) but the gateway -> cart hop skips it
    expect(direct.status).toBe(200);
    expect(direct.notes.join('\n')).toMatch(/Service shop\/cart is bound to waypoint shop\/waypoint, but the ingress gateway sends straight to its endpoints/);
    const labelled = objects.map((o) => (o.kind === 'Service' && o.metadata.name === 'cart' ? svc('cart', 'shop', { 'istio.io/ingress-use-waypoint': 'true' }) : o));
    const r = sim(labelled).simulate({ from: 'shop/client', url });
    expect(r.status).toBe(401);
    expect(path_(r).slice(-2)).toEqual(['route shop/r', 'waypoint shop/waypoint']);
  });
});
