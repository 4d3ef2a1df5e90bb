// The ingress constructs: what they render, what they refuse at once, what synthesis reports, and (end to end) what the
// simulator answers on the synthesized objects for every construct feature.
import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, CertificateRef, Curl, GrpcRoute, HttpBackend, HttpHeaderMatch, HttpMethod,
  HttpPathModifier, HttpQueryParamMatch, HttpRoute, HttpRouteFilter, HttpRouteMatch, IngressGateway, IngressUseWaypoint, ListenerProtocol,
  ListenerTls, PathMatch, PolicyTarget, RedirectScheme, ReferenceGrant, RouteKind, RouteNamespaces, RouteParent, GatewayAddress, ServiceReference,
} from '../../src';
import { MeshModel } from '../../src/model/mesh-model';
import { formatFindingLine, runRules } from '../../src/rules';
import { Simulator } from '../../src/simulate';
import { find } from '../helpers';

const tlsSecret = (scope: Chart, name: string) => new ApiObject(scope, name, {
  apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/tls',
  // secret-store placeholders: the key material stays out of Git (argocd-vault-plugin fills them at sync)
  stringData: { 'tls.crt': '<path:secret/data/storefront#tls.crt>', 'tls.key': '<path:secret/data/storefront#tls.key>' },
});

const app = (): App => Testing.app();
const synthAll = (a: App) => a.charts.flatMap((c) => Testing.synth(c));

describe('IngressGateway listeners', () => {
  test('an HTTPS listener renders tls Terminate with its certificate; a Secret elsewhere brings its ReferenceGrant into the Secret\'s chart', () => {
    // GIVEN
    const a = app();
    const certs = new Chart(a, 'certs', { namespace: 'certs' });
    const secret = tlsSecret(certs, 'shop-tls');
    const edge = new AmbientNamespace(a, 'edge');
    // WHEN
    new IngressGateway(edge, 'Gateway', { name: 'storefront', listeners: [
      { name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', tls: ListenerTls.terminate([CertificateRef.fromSecret(secret)]) },
    ] });
    // THEN
    expect(find(Testing.synth(edge), 'Gateway', 'storefront').spec.listeners).toEqual([{
      name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-tls', namespace: 'certs' }] },
    }]);
    const grant = find(Testing.synth(certs), 'ReferenceGrant', 'gateway-edge-storefront');
    expect(grant.metadata.namespace).toBe('certs');
    expect(grant.spec).toEqual({ from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge' }], to: [{ group: '', kind: 'Secret', name: 'shop-tls' }] });
  });

  test('a certificate by name in the Gateway\'s namespace needs no grant; selector, kinds, addresses and infrastructure render', () => {
    const ns = new AmbientNamespace(app(), 'edge');
    new IngressGateway(ns, 'Gateway', { name: 'gw', infrastructureLabels: { team: 'edge' }, listeners: [{
      name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, tls: ListenerTls.terminate([CertificateRef.fromSecretName('tls')]),
      allowedRoutes: RouteNamespaces.SELECTOR, namespaceSelector: { matchLabels: { ingress: 'public' } },
    }] });
    const out = Testing.synth(ns);
    expect(out.filter((o) => o.kind === 'ReferenceGrant')).toEqual([]);
    const gw = find(out, 'Gateway', 'gw').spec;
    expect(gw.infrastructure).toEqual({ labels: { team: 'edge' } });
    expect(gw.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'Selector', selector: { matchLabels: { ingress: 'public' } } } });
  });

  test('fails at once: HTTPS without tls, tls on HTTP, Selector without a selector, a duplicate listener name', () => {
    const ns = () => new AmbientNamespace(app(), 'edge');
    expect(() => new IngressGateway(ns(), 'G', { name: 'gw', listeners: [{ name: 'https', port: 443, protocol: ListenerProtocol.HTTPS }] }))
      .toThrow(/GW001 Gateway edge\/gw \(edge\/G\): spec.listeners\[0\].tls: is missing: a HTTPS listener needs TLS settings.*ListenerTls.terminate/);
    expect(() => new IngressGateway(ns(), 'G', { name: 'gw', listeners: [{ name: 'http', port: 80, protocol: ListenerProtocol.HTTP, tls: ListenerTls.passthrough() }] }))
      .toThrow(/spec.listeners\[0\].tls: must not be set for protocol HTTP/);
    expect(() => new IngressGateway(ns(), 'G', { name: 'gw', listeners: [{ name: 'http', port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: RouteNamespaces.SELECTOR }] }))
      .toThrow(/allowedRoutes.namespaces: is from Selector without a namespaceSelector/);
    const gw = new IngressGateway(ns(), 'G', { name: 'gw' });
    expect(() => gw.addListener({ name: 'http', port: 8080, protocol: ListenerProtocol.HTTP })).toThrow(/spec.listeners\[1\].name: is the name of another listener \(the CRD refuses it\) \(got "http"\)/);
    expect(() => ListenerTls.terminate([])).toThrow(/ListenerTls.terminate: certificates: is empty/);
  });

  test('fails at synth: a certificate Secret of this app that is not a kubernetes.io/tls Secret is a warning, a missing one too', () => {
    const a = app();
    const ns = new AmbientNamespace(a, 'edge');
    new IngressGateway(ns, 'G', { name: 'gw', listeners: [{ name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, tls: ListenerTls.terminate([CertificateRef.fromSecretName('nope')]) }] });
    const before = process.env.CDK8S_ISTIO_AMBIENT_QUIET;
    process.env.CDK8S_ISTIO_AMBIENT_QUIET = '1';
    try {
      // GW002 is a warning: the Secret may come from outside the manifests; synthesis still succeeds
      expect(() => Testing.synth(ns)).not.toThrow();
    } finally {
      if (before === undefined) delete process.env.CDK8S_ISTIO_AMBIENT_QUIET; else process.env.CDK8S_ISTIO_AMBIENT_QUIET = before;
    }
  });
});

describe('HttpRoute', () => {
  test('typed backends: an ApiObject Service, a kplus.Service, a name; a Deployment is refused', () => {
    const ns = new AmbientNamespace(app(), 'shop');
    const svc = ServiceReference.fromApiObject(new ApiObject(ns, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }));
    const deploy = new kplus.Deployment(ns, 'Api', { containers: [{ image: 'example/api', portNumber: 8080, securityContext: { ensureNonRoot: false } }] });
    const kpSvc = deploy.exposeViaService({ name: 'api', ports: [{ port: 8080 }] });
    expect(HttpBackend.fromService(svc, { port: 80 })._toBackendRef('shop')).toEqual({ name: 'web', port: 80 });
    expect(HttpBackend.fromService(kpSvc, { port: 8080, weight: 3 })._toBackendRef('shop')).toEqual({ name: 'api', port: 8080, weight: 3 });
    expect(HttpBackend.fromServiceName('cart', { port: 80, namespace: 'other' })._toBackendRef('shop')).toEqual({ name: 'cart', namespace: 'other', port: 80 });
    // @ts-expect-error a Deployment is not a Service: it does not compile, and a JavaScript caller gets the error
    expect(() => HttpBackend.fromService(deploy, { port: 80 })).toThrow(/^HttpBackend\.fromService: service: must be a v1 Service \(got "apps\/v1\/Deployment" at shop\/Api\); pass a sample Service, a kplus\.Service, or ServiceReference\.fromApiObject\(apiObject\)$/);
    expect(() => HttpBackend.fromServiceName('web.shop.svc', { port: 80 })).toThrow(/name: must be a Service name/);
    expect(() => HttpBackend.fromServiceName('web', { port: 0 })).toThrow(/port: must be a Service port from 1 to 65535 \(got 0\)/);
  });

  test('matches render path, headers, query parameters and method; bad values fail at once', () => {
    const m = HttpRouteMatch.pathPrefix('/cart', { method: HttpMethod.POST, headers: [HttpHeaderMatch.exact('x-beta', '1')], queryParams: [HttpQueryParamMatch.regularExpression('v', '[0-9]+')] });
    expect(m._toMatch()).toEqual({ path: { type: 'PathPrefix', value: '/cart' }, method: 'POST', headers: [{ name: 'x-beta', type: 'Exact', value: '1' }], queryParams: [{ name: 'v', type: 'RegularExpression', value: '[0-9]+' }] });
    expect(() => HttpRouteMatch.exact('cart')).toThrow(/HttpRouteMatch.exact: path: must start with "\/" \(got "cart"\)/);
    expect(() => HttpRouteMatch.pathPrefix('/a//b')).toThrow(/must not contain "\/\/"/);
    expect(() => HttpRouteMatch.regularExpression('/(?=x)')).toThrow(/pattern: is not valid RE2, Envoy's regex engine \(error parsing regexp: invalid or unsupported Perl syntax/);
    expect(() => HttpRouteMatch.exact('/', { method: HttpMethod.of('PURGE') })).toThrow(/method: must be one of the methods the Gateway API enumerates \(got "PURGE"\)/);
    expect(() => HttpRouteMatch.exact('/', { headers: [HttpHeaderMatch.exact('X-A', '1'), HttpHeaderMatch.exact('x-a', '2')] })).toThrow(/names the same header twice/);
  });

  test('fails at once: redirect with backends, redirect with rewrite, replacePrefixMatch without one PathPrefix, a repeated filter, backendRequest above request', () => {
    const gw = new IngressGateway(new AmbientNamespace(app(), 'shop'), 'G', { name: 'gw' });
    const route = gw.addHttpRoute('R', { name: 'r' });
    const b = HttpBackend.fromServiceName('web', { port: 80 });
    const redirect = HttpRouteFilter.requestRedirect({ scheme: RedirectScheme.HTTPS });
    expect(() => route.addRule({ filters: [redirect], backends: [b] })).toThrow(/GW023 HTTPRoute shop\/r \(shop\/G\/R\): spec.rules\[0\].backendRefs: is set beside a RequestRedirect/);
    expect(() => route.addRule({ filters: [redirect, HttpRouteFilter.urlRewrite({ hostname: 'x.example.com' })] })).toThrow(/both RequestRedirect and URLRewrite/);
    expect(() => route.addRule({ matches: [HttpRouteMatch.exact('/a')], filters: [HttpRouteFilter.urlRewrite({ path: HttpPathModifier.replacePrefixMatch('/') })], backends: [b] }))
      .toThrow(/must be exactly one PathPrefix match when a filter uses replacePrefixMatch/);
    const hdr = HttpRouteFilter.requestHeaderModifier({ set: [{ name: 'x', value: '1' }] });
    expect(() => route.addRule({ filters: [hdr, hdr], backends: [b] })).toThrow(/repeats the RequestHeaderModifier filter/);
    expect(() => route.addRule({ backends: [b], timeouts: { request: Duration.seconds(1), backendRequest: Duration.seconds(2) } })).toThrow(/backendRequest: is longer than timeouts.request/);
    expect(() => HttpRouteFilter.requestHeaderModifier({ set: [{ name: 'x', value: 'a\nb' }] })).toThrow(/contains a control character, so istiod would refuse the whole route/);
    expect(() => HttpRouteFilter.requestRedirect({ statusCode: 304 })).toThrow(/statusCode: must be 301, 302, 303, 307 or 308 \(got 304\)/);
  });

  test('fails at synth: a backend that does not exist (GW010), a port it lacks (GW011), another namespace without a grant (GW012), a missing listener (GW020)', () => {
    const build = (rule: (shop: AmbientNamespace, gw: IngressGateway) => void) => {
      const a = app();
      const shop = new AmbientNamespace(a, 'shop');
      new ApiObject(shop, 'Web', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
      const other = new AmbientNamespace(a, 'other');
      new ApiObject(other, 'Api', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ port: 80 }] } });
      rule(shop, new IngressGateway(shop, 'G', { name: 'gw' }));
      return () => synthAll(a);
    };
    expect(build((_s, gw) => gw.addHttpRoute('R', { name: 'r', rules: [{ backends: [HttpBackend.fromServiceName('storefrnt', { port: 80 })] }] })))
      .toThrow(/\[shop\/G\/R\] GW010 HTTPRoute shop\/r \(shop\/G\/R\): spec.rules\[0\].backendRefs\[0\].name: Service shop\/storefrnt is not among the manifests: requests to it get 500/);
    expect(build((_s, gw) => gw.addHttpRoute('R', { name: 'r', rules: [{ backends: [HttpBackend.fromServiceName('web', { port: 8080 })] }] }))).toThrow(/GW011 .*has no port 8080 \(it has 80\)/);
    expect(build((_s, gw) => gw.addHttpRoute('R', { name: 'r', rules: [{ backends: [HttpBackend.fromServiceName('api', { port: 80, namespace: 'other' })] }] }))).toThrow(/GW012 .*no ReferenceGrant in other/);
    expect(build((_s, gw) => gw.addHttpRoute('R', { name: 'r', sectionName: 'https', rules: [{ backends: [HttpBackend.fromServiceName('web', { port: 80 })] }] }))).toThrow(/GW020 .*spec.parentRefs\[0\].sectionName: Gateway shop\/gw has no listener with sectionName "https"/);
    // the grant makes the cross-namespace backend valid
    expect(build((s, gw) => {
      new ReferenceGrant(s.node.root.node.findChild('other') as Chart, 'Grant', { name: 'shop-routes', from: [{ kind: 'HTTPRoute', namespace: 'shop' }], to: [{ kind: 'Service' }] });
      gw.addHttpRoute('R', { name: 'r', rules: [{ backends: [HttpBackend.fromServiceName('api', { port: 80, namespace: 'other' })] }] });
    })).not.toThrow();
  });
});

describe('IngressUseWaypoint', () => {
  test('labels a Service or a namespace; a non-Service is refused', () => {
    const ns = new AmbientNamespace(app(), 'shop', { ingressUseWaypoint: true });
    const svc = ServiceReference.fromApiObject(new ApiObject(ns, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }));
    IngressUseWaypoint.onService(svc, false);
    const out = Testing.synth(ns);
    expect(find(out, 'Namespace', 'shop').metadata.labels['istio.io/ingress-use-waypoint']).toBe('true');
    expect(find(out, 'Service', 'web').metadata.labels).toEqual({ 'istio.io/ingress-use-waypoint': 'false' });
    const cm = new ApiObject(ns, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    // @ts-expect-error a ConfigMap is not a Service
    expect(() => IngressUseWaypoint.onService(cm)).toThrow(/^IngressUseWaypoint\.onService: service: must be a v1 Service \(got "v1\/ConfigMap" at shop\/Cm\)/);
  });
});

/**
 * Two namespaces: `edge` (the HTTPS gateway, its certificate, a curl client) and `shop` (ambient, with its waypoint):
 * a kplus web frontend, a beta frontend, a cart and a catalog whose writes a basic-auth plugin at the waypoint guards.
 */
function storefront(): { manifests: any[]; sim: Simulator } {
  const a = app();
  const edge = new AmbientNamespace(a, 'edge');
  new Curl(edge, 'Curl');
  // the certificate lives with the team that owns it: the gateway adds the ReferenceGrant there
  const secret = tlsSecret(new Chart(a, 'certs', { namespace: 'certs' }), 'storefront-tls');
  const gw = new IngressGateway(edge, 'Gateway', { name: 'storefront', addresses: [GatewayAddress.ipAddress('203.0.113.10')], infrastructureLabels: { team: 'edge' }, listeners: [
    { name: 'http', port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop.example.com' },
    { name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', tls: ListenerTls.terminate([CertificateRef.fromSecret(secret)]),
      allowedRoutes: RouteNamespaces.SELECTOR, namespaceSelector: { matchLabels: { 'shop.example.com/ingress': 'allowed' } }, allowedKinds: [RouteKind.HTTP_ROUTE, RouteKind.GRPC_ROUTE] },
    { name: 'db', port: 8443, protocol: ListenerProtocol.TLS, hostname: 'db.example.com', tls: ListenerTls.passthrough(), allowedRoutes: RouteNamespaces.ALL },
  ] });
  gw.addHttpRoute('ToHttps', { name: 'to-https', sectionName: 'http', rules: [{ filters: [HttpRouteFilter.requestRedirect({ scheme: RedirectScheme.HTTPS, statusCode: 301 })] }] });

  const shop = new AmbientNamespace(a, 'shop', { labels: { 'shop.example.com/ingress': 'allowed' } });
  const waypoint = shop.addWaypoint();
  const app_ = (name: string, port = 80) => {
    const d = new ApiObject(shop, `${name}-deploy`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: {
      selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}` }] } } } });
    void d;
    return ServiceReference.fromApiObject(new ApiObject(shop, `${name}-svc`, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port }] } }));
  };
  const web = new kplus.Deployment(shop, 'Web', { containers: [{ image: 'example/web', portNumber: 8080, securityContext: { ensureNonRoot: false } }] })
    .exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080 }] });
  const beta = app_('web-beta');
  const cart = app_('cart');
  const cartNext = app_('cart-next');
  const catalog = app_('catalog', 8080);
  IngressUseWaypoint.onService(catalog);
  new BasicAuthPlugin(shop, 'CatalogWrites', { name: 'catalog-writes', targets: [PolicyTarget.fromService(catalog)],
    rules: [new BasicAuthRule({ match: PathMatch.prefix('/items'), methods: [HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE], credentials: [BasicAuthCredential.vault('secret/data/shop', 'catalog-admin')] })] });
  void waypoint;
  // a team elsewhere: its namespace sends ingress traffic through its waypoint, and it grants shop's routes access
  const legacy = new AmbientNamespace(a, 'legacy', { ingressUseWaypoint: true });
  legacy.addWaypoint();
  new ApiObject(legacy, 'OrdersDeploy', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders' }, spec: {
    selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { containers: [{ name: 'orders', image: 'example/orders' }] } } } });
  const orders = ServiceReference.fromApiObject(new ApiObject(legacy, 'Orders', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'orders' }, spec: { selector: { app: 'orders' }, ports: [{ name: 'http', port: 80 }] } }));
  new BasicAuthPlugin(legacy, 'OrdersAuth', { name: 'orders-auth', targets: [PolicyTarget.fromService(orders)],
    rules: [new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.vault('secret/data/legacy', 'orders')] })] });
  new ReferenceGrant(legacy, 'FromShop', { name: 'shop-routes', from: [{ kind: 'HTTPRoute', namespace: 'shop' }], to: [{ kind: 'Service', name: 'orders' }] });
  const https = RouteParent.fromGateway(gw, { sectionName: 'https' });
  new HttpRoute(shop, 'Storefront', { name: 'storefront', parents: [https], hostnames: ['shop.example.com'], rules: [
    { name: 'beta', matches: [HttpRouteMatch.pathPrefix('/', { headers: [HttpHeaderMatch.exact('x-beta', '1')] })], backends: [HttpBackend.fromService(beta, { port: 80 })] },
    { matches: [HttpRouteMatch.pathPrefix('/cart', { method: HttpMethod.POST })], backends: [HttpBackend.fromService(cart, { port: 80, weight: 90 }), HttpBackend.fromService(cartNext, { port: 80, weight: 10 })],
      filters: [HttpRouteFilter.requestHeaderModifier({ set: [{ name: 'x-tenant', value: 'shop' }] }), HttpRouteFilter.requestMirror(HttpBackend.fromService(cartNext, { port: 80 }), { percent: 5 })],
      timeouts: { request: Duration.seconds(10) } },
    { matches: [HttpRouteMatch.exact('/search', { queryParams: [HttpQueryParamMatch.exact('beta', 'true')] })], backends: [HttpBackend.fromService(beta, { port: 80 })] },
    { matches: [HttpRouteMatch.regularExpression('/product/[0-9]+')], backends: [HttpBackend.fromService(web, { port: 80 })], filters: [HttpRouteFilter.cors({ allowOrigins: ['https://shop.example.com'], allowMethods: [HttpMethod.GET] })] },
    { matches: [HttpRouteMatch.pathPrefix('/api/catalog')], filters: [HttpRouteFilter.urlRewrite({ path: HttpPathModifier.replacePrefixMatch('/') })], backends: [HttpBackend.fromService(catalog, { port: 8080 })] },
    { matches: [HttpRouteMatch.exact('/sale')], filters: [HttpRouteFilter.requestRedirect({ path: HttpPathModifier.replaceFullPath('/deals') })] },
    { matches: [HttpRouteMatch.pathPrefix('/orders')], backends: [HttpBackend.fromServiceName('orders', { port: 80, namespace: 'legacy' })],
      filters: [HttpRouteFilter.responseHeaderModifier({ set: [{ name: 'cache-control', value: 'no-store' }] })] },
    { backends: [HttpBackend.fromService(web, { port: 80 })] },
  ] });
  new GrpcRoute(shop, 'Grpc', { name: 'catalog-grpc', parents: [RouteParent.fromGateway(gw, { port: 443 })], hostnames: ['shop.example.com'], rules: [
    { matches: [{ service: 'shop.v1.Catalog', method: 'ListItems' }], backends: [HttpBackend.fromService(catalog, { port: 8080 })] },
  ] });
  const before = process.env.CDK8S_ISTIO_AMBIENT_QUIET;
  process.env.CDK8S_ISTIO_AMBIENT_QUIET = '1';
  try {
    const manifests = synthAll(a);
    return { manifests, sim: Simulator.from(manifests) };
  } finally {
    if (before === undefined) delete process.env.CDK8S_ISTIO_AMBIENT_QUIET; else process.env.CDK8S_ISTIO_AMBIENT_QUIET = before;
  }
}

describe('constructs and simulator together: every feature, synthesized then simulated', () => {
  const { sim, manifests } = storefront();

  test('the synthesized objects raise no finding at all (what analyze would report on them)', () => {
    const model = MeshModel.build(manifests.map((manifest, i) => ({ manifest, origin: `objects[${i}]` })));
    expect(runRules(model).map(formatFindingLine)).toEqual([]);
    // the certificate's grant, in the Secret's namespace, and the one the legacy team wrote
    expect(manifests.filter((m) => m.kind === 'ReferenceGrant').map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(['certs/gateway-edge-storefront', 'legacy/shop-routes']);
    const gwSpec = manifests.find((m) => m.kind === 'Gateway' && m.metadata.name === 'storefront').spec;
    expect(gwSpec.addresses).toEqual([{ type: 'IPAddress', value: '203.0.113.10' }]);
    expect(gwSpec.listeners[1].allowedRoutes.kinds).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }]);
  });

  const https = (path: string, headers: Record<string, string> = {}, method = 'GET') => sim.simulate({
    from: 'edge/curl', method, url: `https://shop.example.com${path}`, headers, connectTo: ['shop.example.com:443:storefront-istio.edge:443'] });
  const dest = (r: ReturnType<typeof https>) => r.hops.find((h) => h.kind === 'destination')?.at;

  test('HTTP listener: the redirect to HTTPS (RequestRedirect scheme, 301)', () => {
    const r = sim.simulate({ from: 'edge/curl', url: 'http://shop.example.com/cart', connectTo: ['shop.example.com:80:storefront-istio.edge:80'] });
    expect([r.status, r.response?.headers?.Location]).toEqual([301, 'https://shop.example.com/cart']);
  });

  test('HTTPS listener: SNI, TLS terminated with the Secret, a route from another namespace admitted by the selector', () => {
    const r = https('/');
    expect(r.status).toBe(200);
    expect(r.hops.find((h) => h.kind === 'tls')!.detail).toMatch(/SNI "shop.example.com" selects listener https .* certificate from Secret certs\/storefront-tls \(ReferenceGrant certs\/gateway-edge-storefront\)/);
    expect(dest(r)).toMatch(/^shop\/shop-web/);
  });

  test('header match (the beta rule), method match with weighted backends and a header modifier, query match, regex path', () => {
    expect(dest(https('/anything', { 'x-beta': '1' }))).toBe('shop/web-beta');
    const cart = https('/cart/items', {}, 'POST');
    expect(cart.status).toBe(200);
    expect(cart.notes).toContain('the route splits traffic across 2 backends; all get 200, the trace follows cart');
    expect(cart.notes.join('\n')).toMatch(/modifies request headers before the backend/);
    expect(cart.notes.join('\n')).toMatch(/mirrors a copy of the request to Service shop\/cart-next port 80/);
    expect(cart.notes.join('\n')).toMatch(/has timeouts \(request 10s\)/);
    expect(dest(https('/cart/items'))).toMatch(/^shop\/shop-web/);
    expect(dest(https('/search?beta=true'))).toBe('shop/web-beta');
    expect(dest(https('/search?beta=false'))).toMatch(/^shop\/shop-web/);
    expect(https('/product/42').notes.join('\n')).toMatch(/has a CORS filter/);
  });

  test('URL rewrite, then the catalog waypoint (ingress-use-waypoint) sees the rewritten path', () => {
    const write = https('/api/catalog/items', {}, 'POST');
    // the credential is a secret-store placeholder, but a request without any credential is refused whatever it holds
    expect(write.status).toBe(401);
    const waypoint = write.hops.find((h) => h.kind === 'waypoint')!;
    expect(waypoint.detail).toMatch(/HTTP chain for Service shop\/catalog .*the gateway sends to the Service VIP because of istio.io\/ingress-use-waypoint/);
    expect(waypoint.plugins![0].rules![0].detail).toMatch(/path "\/items"/);
    expect(https('/api/catalog/items').status).toBe(200);
  });

  test('a backend in another namespace, granted; its namespace\'s ingress-use-waypoint takes the request to its waypoint plugin', () => {
    const r = https('/orders/1');
    expect(r.status).toBe(401);
    expect(r.reason).toMatch(/denied by WasmPlugin legacy\/orders-auth at waypoint legacy\/waypoint/);
    expect(r.notes.join('\n')).toMatch(/modifies the response headers/);
  });

  test('the TLS passthrough listener routes nothing at HTTP level: unknown', () => {
    const r = sim.simulate({ from: 'edge/curl', url: 'https://db.example.com:8443/', connectTo: ['db.example.com:8443:storefront-istio.edge:8443'] });
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/selects listener db \(TLS, hostname db.example.com\), which passes TLS through/);
  });

  test('the redirect rule answers itself; GRPCRoute calls reach the catalog', () => {
    const sale = https('/sale?x=1');
    expect([sale.status, sale.response?.headers?.Location]).toEqual([302, 'https://shop.example.com/deals?x=1']);
    expect(dest(https('/shop.v1.Catalog/ListItems', { 'content-type': 'application/grpc' }, 'POST'))).toBe('shop/catalog');
  });
});
