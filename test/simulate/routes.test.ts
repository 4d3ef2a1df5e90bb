// HTTPRoute matching at an ingress gateway: what matches, what wins, and what the gateway answers itself.
import { basicAuth, deploy, ingress, ns, route, rule, sim, svc, toGateway } from './helpers';

const edge = (routes: any[], extra: any[] = [], listeners?: any[]) => sim([
  ns('web'), deploy('client', 'web'), svc('app', 'web'), deploy('app', 'web'), svc('api', 'web'), deploy('api', 'web'),
  ingress('edge', 'web', listeners), ...routes, ...extra,
]);
const to = (name: string, port = 9080) => ({ name, port });
const get = (s: ReturnType<typeof edge>, path: string, headers: Record<string, string> = {}, method = 'GET') =>
  s.simulate({ from: 'web/client', url: `http://edge-istio.web${path}`, headers, method });
const backendOf = (r: ReturnType<typeof get>) => r.hops.find((h) => h.kind === 'destination')?.at;

describe('HTTPRoute matching at the ingress gateway', () => {
  const s = edge([route('main', 'web', {
    parentRefs: [{ name: 'edge' }],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/static/' } }, { path: { type: 'Exact', value: '/login' } }], backendRefs: [to('app')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [to('api')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/static/admin' } }], backendRefs: [to('api')] },
      { matches: [{ path: { type: 'Exact', value: '/static' }, method: 'POST' }], backendRefs: [to('api')] },
    ],
  })]);

  test('PathPrefix matches whole segments, a trailing "/" in the value ignored', () => {
    expect(backendOf(get(s, '/static'))).toBe('web/app');
    expect(backendOf(get(s, '/static/css/a.css'))).toBe('web/app');
    expect(backendOf(get(s, '/staticx'))).toBe('web/api');
  });

  test('Exact beats PathPrefix, a longer prefix beats a shorter one, the query string is ignored', () => {
    expect(backendOf(get(s, '/login?next=/'))).toBe('web/app');
    expect(backendOf(get(s, '/login/x'))).toBe('web/api');
    expect(backendOf(get(s, '/static/admin/x'))).toBe('web/api');
    expect(get(s, '/static/admin/x').hops.find((h) => h.kind === 'route')!.detail).toMatch(/rule 2 match 0/);
  });

  test('an Exact match with a method wins only for that method', () => {
    expect(backendOf(get(s, '/static', {}, 'POST'))).toBe('web/api');
    expect(backendOf(get(s, '/static', {}, 'GET'))).toBe('web/app');
  });

  test('no matching rule: 404 from the gateway, after its plugins ran', () => {
    const only = edge([route('main', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], backendRefs: [to('app')] }] })]);
    const r = get(only, '/b');
    expect(r.status).toBe(404);
    expect(r.reason).toMatch(/no rule of HTTPRoute web\/main matches GET \/b/);
  });

  test('hostnames: the request Host must match; an exact hostname beats a wildcard', () => {
    const h = edge([
      route('wild', 'web', { parentRefs: [{ name: 'edge' }], hostnames: ['*.example.com'], rules: [{ backendRefs: [to('app')] }] }),
      route('exact', 'web', { parentRefs: [{ name: 'edge' }], hostnames: ['api.example.com'], rules: [{ backendRefs: [to('api')] }] }),
    ]);
    expect(backendOf(get(h, '/', { Host: 'shop.example.com' }))).toBe('web/app');
    expect(backendOf(get(h, '/', { Host: 'api.example.com:80' }))).toBe('web/api');
    expect(get(h, '/', { Host: 'example.com' }).status).toBe(404);
    expect(get(h, '/').status).toBe(404);
  });

  test('parentRefs: a sectionName other than the listener, or a route the listener does not admit, does not attach', () => {
    const r1 = get(edge([route('m', 'web', { parentRefs: [{ name: 'edge', sectionName: 'https' }], rules: [{ backendRefs: [to('app')] }] })]), '/');
    expect(r1.status).toBe(404);
    expect(r1.reason).toMatch(/sectionName "https" is not listener http/);
    const other = [ns('team'), route('m', 'team', { parentRefs: [{ name: 'edge', namespace: 'web' }], rules: [{ backendRefs: [{ name: 'app', namespace: 'web', port: 9080 }] }] })];
    expect(get(edge([], other), '/').reason).toMatch(/admits routes from its own namespace web only/);
    const all = edge([], other, [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }]);
    // attached now, but the backend is in another namespace without a ReferenceGrant
    expect(get(all, '/').status).toBe(500);
    const grant = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'web' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'team' }], to: [{ group: '', kind: 'Service' }] } };
    expect(get(edge([], [...other, grant], [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }]), '/').status).toBe(200);
  });

  test('the gateway answers itself: 500 for a missing backend, the redirect status with Location', () => {
    expect(get(edge([route('m', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [to('gone')] }] })]), '/').status).toBe(500);
    const r = get(edge([route('m', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }] })]), '/x');
    expect(r.status).toBe(301);
    expect(r.response).toEqual({ headers: { Location: 'https://edge-istio.web/x' } });
  });

  test('weighted backends that answer differently make the status unknown', () => {
    const s2 = edge([route('m', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ ...to('app'), weight: 90 }, { ...to('gone'), weight: 10 }] }] })]);
    expect(get(s2, '/').reason).toMatch(/splits traffic across backends that answer differently: app \(weight 90\): 200, gone \(weight 10\): 500/);
  });

  test('header and query parameter matches outrank a bare prefix', () => {
    const s3 = edge([route('m', 'web', { parentRefs: [{ name: 'edge' }], rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, queryParams: [{ name: 'v', value: '2' }] }], backendRefs: [to('api')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-canary', value: 'yes' }] }], backendRefs: [to('api')] },
      { backendRefs: [to('app')] },
    ] })]);
    expect(backendOf(get(s3, '/?v=2'))).toBe('web/api');
    expect(backendOf(get(s3, '/', { 'X-Canary': 'yes' }))).toBe('web/api');
    expect(backendOf(get(s3, '/?v=3'))).toBe('web/app');
  });

  test('plugins at the gateway run before routing: a 401 comes before the 404 it would otherwise get', () => {
    const guard = basicAuth('edge-auth', 'web', toGateway('edge'), { basic_auth_rules: [rule({ prefix: '/' })] });
    const s4 = edge([], [guard]);
    expect(get(s4, '/nowhere').status).toBe(401);
    expect(get(s4, '/nowhere', { Authorization: 'Basic b2s6dGVzdA==' }).status).toBe(404);
  });

  test('match mode SERVER excludes an ingress gateway (its chain is CLIENT); match on the listener port keeps it', () => {
    const guard = (name: string, match: any) => basicAuth(name, 'web', toGateway('edge'), { basic_auth_rules: [rule({ prefix: '/' })] }, { spec: { match } });
    const s5 = edge([route('m', 'web', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [to('app')] }] })],
      [guard('server', [{ mode: 'SERVER' }]), guard('port80', [{ mode: 'CLIENT', ports: [{ number: 80 }] }])]);
    const r = get(s5, '/');
    expect(r.status).toBe(401);
    expect(r.hops.find((h) => h.kind === 'ingress')!.plugins!.map((p) => `${p.plugin} ${p.outcome}`)).toEqual(['web/port80 denied', 'web/server filtered']);
  });
});
