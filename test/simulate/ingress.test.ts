// The ingress gateway end to end: Istio's own route-precedence testdata, HTTPS with SNI, redirects, rewrites and what
// the gateway answers itself, each case citing the Istio 1.30.3 code that decides it.
import { Simulator } from '../../src/simulate';
import { deploy, ingress, ns, route, svc } from './helpers';

const GW = 'gateway.networking.k8s.io';
const backendOf = (r: { hops: Array<{ kind: string; at: string }> }) => r.hops.find((h) => h.kind === 'destination')?.at;

describe('testdata/route-precedence.yaml, simulated (mergeHTTPRoutes, sortHTTPRoutes, SortVHostRoutes)', () => {
  const testNs = (name: string) => ns(name, { 'istio.io/dataplane-mode': 'ambient', 'istio.io/test-name-part': name.split('-')[0] });
  const objects = [
    testNs('istio-system'), testNs('allowed-1'), testNs('allowed-2'), testNs('default'), deploy('client', 'istio-system'),
    ...[['svc1', 'allowed-1'], ['svc2', 'allowed-1'], ['svc2', 'allowed-2'], ['svc3', 'allowed-2'], ['svc4', 'default']].flatMap(([n, s]) => [svc(n, s, {}, 80), deploy(n, s)]),
    ingress('gateway', 'istio-system', [{ name: 'default', hostname: '*.domain.example', port: 80, protocol: 'HTTP',
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'istio.io/test-name-part': 'allowed' } } } } }]),
    route('http', 'allowed-1', { parentRefs: [{ name: 'gateway', namespace: 'istio-system' }, { group: '', kind: 'Service', name: 'a-example' }],
      hostnames: ['a.domain.example', 'b.domain.example'], rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/foo' }, headers: [{ name: 'my-header', value: 'some-value', type: 'Exact' }] }], backendRefs: [{ name: 'svc1', port: 80 }] },
        { matches: [{ path: { type: 'RegularExpression', value: '/foo((\\/).*)?' } }], backendRefs: [{ name: 'svc2', port: 80 }] },
      ] }),
    route('http', 'allowed-2', { parentRefs: [{ name: 'gateway', namespace: 'istio-system' }], hostnames: ['a.domain.example'], rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/foo/bar' } }, { path: { type: 'PathPrefix', value: '/bar' } }], backendRefs: [{ name: 'svc2', port: 80 }] },
      { matches: [{ path: { type: 'Exact', value: '/baz' }, headers: [{ name: 'my-header', value: 'some-value', type: 'Exact' }], queryParams: [{ name: 'my-param', value: 'some-value', type: 'RegularExpression' }] }], backendRefs: [{ name: 'svc2', port: 80 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'svc3', port: 80 }] },
      { matches: [{ method: 'PATCH', path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'svc2', port: 80 }] },
    ] }),
    route('http', 'default', { parentRefs: [{ name: 'gateway', namespace: 'istio-system' }], hostnames: ['a.domain.example', 'b.domain.example'], rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/abc' }, headers: [{ name: 'my-header', value: 'some-value', type: 'Exact' }] }], backendRefs: [{ name: 'svc4', port: 80 }] },
    ] }),
  ];
  const s = Simulator.from(objects);
  const get = (host: string, path: string, headers: Record<string, string> = {}, method = 'GET') =>
    s.simulate({ from: 'istio-system/client', url: `http://gateway-istio.istio-system${path}`, headers: { Host: host, ...headers }, method });
  const hdr = { 'my-header': 'some-value' };

  test('a.domain.example: the merged, sorted VirtualService of both allowed routes', () => {
    expect(backendOf(get('a.domain.example', '/baz?my-param=some-value', hdr))).toBe('allowed-2/svc2');
    expect(backendOf(get('a.domain.example', '/foo/bar/x', hdr))).toBe('allowed-2/svc2');
    expect(backendOf(get('a.domain.example', '/foo/x', hdr))).toBe('allowed-1/svc1');
    expect(backendOf(get('a.domain.example', '/bar'))).toBe('allowed-2/svc2');
    expect(backendOf(get('a.domain.example', '/', {}, 'PATCH'))).toBe('allowed-2/svc2');
    // the regex outranks the catch-all "/" once Envoy moves catch-alls last
    expect(backendOf(get('a.domain.example', '/foo/x'))).toBe('allowed-1/svc2');
    expect(backendOf(get('a.domain.example', '/other'))).toBe('allowed-2/svc3');
  });

  test('the default namespace is not selected: its /abc rule is not there, and b.domain.example has allowed-1 only', () => {
    expect(backendOf(get('a.domain.example', '/abc', hdr))).toBe('allowed-2/svc3');
    expect(get('b.domain.example', '/abc', hdr).status).toBe(404);
    expect(backendOf(get('b.domain.example', '/foo', hdr))).toBe('allowed-1/svc1');
  });
});

describe('what the gateway answers itself', () => {
  const base = [ns('web'), deploy('client', 'web'), svc('app', 'web'), deploy('app', 'web')];
  const one = (rule: any, extra: any[] = [], metadata: any = {}) => Simulator.from([...base, ingress('edge', 'web'),
    { ...route('r', 'web', { parentRefs: [{ name: 'edge' }], rules: [rule] }), metadata: { name: 'r', namespace: 'web', ...metadata } }, ...extra]);
  const get = (s: Simulator, path: string, method = 'GET', headers: Record<string, string> = {}) => s.simulate({ from: 'web/client', url: `http://edge-istio.web${path}`, method, headers });

  test('a rule without backendRefs answers 404; weights all 0 answer 500 (convertHTTPRoute DirectResponse)', () => {
    expect(get(one({ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }), '/').status).toBe(404);
    const r = get(one({ backendRefs: [{ name: 'app', port: 9080, weight: 0 }] }), '/');
    expect(r.status).toBe(500);
    expect(r.reason).toMatch(/every backendRef has weight 0/);
  });

  test('a port the Service lacks answers 500: no cluster, and Gateway API routes set cluster_not_found to 500 (route.go)', () => {
    const r = get(one({ backendRefs: [{ name: 'app', port: 8080 }] }), '/');
    expect(r.status).toBe(500);
    expect(r.reason).toMatch(/Service web\/app has no port 8080 \(it has 9080\)/);
  });

  test('a route istiod refuses (an ExtensionRef filter) contributes nothing: 404, with the reason in a note', () => {
    const r = get(one({ filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Filter', name: 'x' } }], backendRefs: [{ name: 'app', port: 9080 }] }), '/');
    expect(r.status).toBe(404);
    expect(r.notes.join('\n')).toMatch(/HTTPRoute web\/r is not programmed: spec.rules\[0\].filters\[0\].type: filter type "ExtensionRef" is not supported/);
  });

  test('RequestRedirect (createRedirectFilter, ApplyRedirect): the CRD default 302; scheme change drops the port; the listener port is kept otherwise', () => {
    expect(get(one({ filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'example.com' } }] }), '/a?b=1').response).toEqual({ headers: { Location: 'http://example.com/a?b=1' } });
    expect(get(one({ filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'example.com' } }] }), '/a').status).toBe(302);
    const https = get(one({ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }), '/x');
    expect([https.status, https.response?.headers?.Location]).toEqual([301, 'https://edge-istio.web/x']);
    const port = get(one({ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 8443 } }] }), '/x');
    expect(port.response?.headers?.Location).toBe('https://edge-istio.web:8443/x');
    const prefix = get(one({ matches: [{ path: { type: 'PathPrefix', value: '/old' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }] }), '/old/a');
    expect(prefix.response?.headers?.Location).toBe('http://edge-istio.web/new/a');
  });

  test('URLRewrite (createRewriteFilter, applyHTTPRouteDestination): prefix "/" removes the prefix, full path, hostname', () => {
    const strip = get(one({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [{ name: 'app', port: 9080 }] }), '/api/items?x=1');
    expect(strip.notes).toContain('HTTPRoute web/r rule 0 match 0 rewrites the request to edge-istio.web/items?x=1');
    const whole = get(one({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [{ name: 'app', port: 9080 }] }), '/api');
    expect(whole.notes).toContain('HTTPRoute web/r rule 0 match 0 rewrites the request to edge-istio.web/');
    const full = get(one({ filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'app.internal', path: { type: 'ReplaceFullPath', replaceFullPath: '/index' } } }], backendRefs: [{ name: 'app', port: 9080 }] }), '/a/b');
    expect(full.notes).toContain('HTTPRoute web/r rule 0 match 0 rewrites the request to app.internal/index');
  });

  test('equal matches in two routes without creationTimestamp: unknown; with them, the older route wins', () => {
    const twin = (name: string, to: string, ts?: string) => ({ ...route(name, 'web', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: to, port: 9080 }] }] }),
      metadata: { name, namespace: 'web', ...(ts ? { creationTimestamp: ts } : {}) } });
    const both = [...base, svc('other', 'web'), deploy('other', 'web'), ingress('edge', 'web')];
    const r = get(Simulator.from([...both, twin('a', 'app'), twin('b', 'other')]), '/');
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/the older route wins, and the manifests carry no creationTimestamp/);
    const older = get(Simulator.from([...both, twin('a', 'app', '2025-02-01T00:00:00Z'), twin('b', 'other', '2025-01-01T00:00:00Z')]), '/');
    expect(backendOf(older)).toBe('web/other');
    expect(older.notes.join('\n')).toMatch(/wins over HTTPRoute web\/a rule 0 match 0 by creation time/);
  });

  test('routes for one host with and without hostnames are separate VirtualServices: their order is not decided here', () => {
    const s = Simulator.from([...base, ingress('edge', 'web', [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' }]),
      route('a', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backendRefs: [{ name: 'app', port: 9080 }] }] }),
      route('b', 'web', { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.com'], rules: [{ matches: [{ path: { type: 'Exact', value: '/a/b' } }], backendRefs: [{ name: 'app', port: 9080 }] }] })]);
    const r = s.simulate({ from: 'web/client', url: 'http://edge-istio.web/a/b', headers: { Host: 'shop.example.com' } });
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/separate|own VirtualService/);
  });

  test('regular expressions are RE2, as in Envoy: a pattern RE2 refuses matches nothing, and a hostile one cannot hang the simulator', () => {
    const bad = one({ matches: [{ path: { type: 'RegularExpression', value: '/(?=a)' } }], backendRefs: [{ name: 'app', port: 9080 }] });
    const r = get(bad, '/a');
    expect(r.status).toBe(404);
    expect(r.notes.join('\n')).toMatch(/is not valid RE2 \(Envoy's regex engine\)/);
    // exponential for a backtracking engine, linear for RE2
    const evil = one({ matches: [{ path: { type: 'RegularExpression', value: '/(a+)+b' } }], backendRefs: [{ name: 'app', port: 9080 }] });
    expect(get(evil, `/${'a'.repeat(20000)}`).status).toBe(404);
  });

  test('header matches compare every value of a repeated header joined with ","; query matches the first value (Envoy route matchers, inferred: Istio passes the match through)', () => {
    const s = one({ matches: [{ headers: [{ name: 'x-v', value: 'a,b' }], queryParams: [{ name: 'q', value: '1' }] }], backendRefs: [{ name: 'app', port: 9080 }] });
    expect(s.simulate({ from: 'web/client', url: 'http://edge-istio.web/?q=1&q=2', headers: [['x-v', 'a'], ['X-V', 'b']] }).status).toBe(200);
    expect(s.simulate({ from: 'web/client', url: 'http://edge-istio.web/?q=2&q=1', headers: [['x-v', 'a'], ['X-V', 'b']] }).status).toBe(404);
  });
});

describe('HTTPS at the gateway: SNI picks the listener, TLS ends there (conversion.go buildTLS; gateway filter chains by server name)', () => {
  const secret = (name: string, namespace = 'web') => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
  const listeners = [
    { name: 'http', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' },
    { name: 'shop', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-tls' }] } },
    { name: 'wild', port: 443, protocol: 'HTTPS', hostname: '*.example.com', tls: { certificateRefs: [{ name: 'missing-tls' }] } },
    { name: 'pass', port: 443, protocol: 'TLS', hostname: 'db.internal', tls: { mode: 'Passthrough' } },
  ];
  const s = Simulator.from([ns('web'), deploy('client', 'web'), svc('app', 'web'), deploy('app', 'web'), secret('shop-tls'), ingress('edge', 'web', listeners),
    route('shop', 'web', { parentRefs: [{ name: 'edge', sectionName: 'shop' }], rules: [{ backendRefs: [{ name: 'app', port: 9080 }] }] })]);
  const via = (host: string, url: string, headers: Record<string, string> = {}) =>
    s.simulate({ from: 'web/client', url, headers, connectTo: [`${host}:443:edge-istio.web:443`] });

  test('https://shop.example.com through --connect-to: TLS terminated at listener shop, then its routes', () => {
    const r = via('shop.example.com', 'https://shop.example.com/cart');
    expect(r.status).toBe(200);
    expect(r.hops.map((h) => h.kind)).toEqual(['client', 'resolve', 'ztunnel', 'tls', 'ingress', 'route', 'destination']);
    expect(r.hops[1].detail).toMatch(/^curl --connect-to shop.example.com:443:edge-istio.web:443: connects to edge-istio.web:443; /);
    expect(r.hops[3].detail).toMatch(/SNI "shop.example.com" selects listener shop \(HTTPS, hostname shop.example.com\); TLS terminated there, certificate from Secret web\/shop-tls/);
  });

  test('the Host must also match: routes come from the listener SNI chose only (404 otherwise)', () => {
    expect(via('shop.example.com', 'https://shop.example.com/', { Host: 'other.example.com' }).status).toBe(404);
  });

  test('a listener whose Secret is not among the manifests: unknown; a SNI no listener takes: the handshake fails', () => {
    const missing = via('api.example.com', 'https://api.example.com/');
    expect(missing.status).toBe('unknown');
    expect(missing.reason).toMatch(/SNI "api.example.com" selects listener wild .*Secret web\/missing-tls is not among the manifests/);
    const none = via('example.org', 'https://example.org/');
    expect(none.reason).toMatch(/matches the hostname of no TLS listener .* the TLS handshake fails/);
  });

  test('TLS passthrough routes nothing at HTTP level: unknown; plain HTTP to a TLS port, TLS to an HTTP port: no answer', () => {
    expect(via('db.internal', 'https://db.internal/').reason).toMatch(/passes TLS through: no HTTP route applies there, and TLSRoute and TCPRoute are not in the pinned Gateway API standard channel/);
    expect(s.simulate({ from: 'web/client', url: 'http://edge-istio.web:443/' }).reason).toMatch(/port 443 has no HTTP listener/);
    expect(s.simulate({ from: 'web/client', url: 'https://edge-istio.web:80/' }).reason).toMatch(/port 80 has no HTTPS or TLS listener/);
  });

  test('a bad --connect-to is bad input', () => {
    expect(() => s.simulate({ from: 'web/client', url: 'https://shop.example.com/', connectTo: ['shop.example.com:443'] })).toThrow(/connect-to: must be HOST1:PORT1:HOST2:PORT2/);
  });
});

describe('the gateway Service: a Hostname address binds the Gateway to an existing Service (extractGatewayServices)', () => {
  test('requests to that Service reach the gateway; <name>-istio does not exist then', () => {
    const gw = { ...ingress('edge', 'web'), spec: { gatewayClassName: 'istio', addresses: [{ type: 'Hostname', value: 'front' }], listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    const s = Simulator.from([ns('web'), deploy('client', 'web'), svc('app', 'web'), deploy('app', 'web'), { ...svc('front', 'web', {}, 80) }, gw,
      route('r', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'app', port: 9080 }] }] })]);
    expect(s.simulate({ from: 'web/client', url: 'http://front.web/' }).status).toBe(200);
    expect(s.simulate({ from: 'web/client', url: 'http://edge-istio.web/' }).reason).toMatch(/not among the manifests/);
  });
});

void GW;
