import { ApiObject, App, Chart, Duration, JsonPatch, Lazy, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import * as fc from 'fast-check';
import { Gateway as GatewayL1, GrpcRoute as GrpcRouteL1, HttpRoute as HttpRouteL1, ReferenceGrant as ReferenceGrantL1 } from '../../src/imports/gateway.networking.k8s.io';
import { WasmPlugin as WasmPluginL1 } from '../../src/imports/extensions.istio.io';
import {
  AmbientNamespace, Bookinfo, CertificateRef, EnvValueSource, FailStrategy, GatewayAddress, GrpcRoute, HttpBackend, HttpHeaderMatch, HttpMethod,
  HttpPathModifier, HttpQueryParamMatch, HttpRouteFilter, HttpRouteMatch, ImagePullPolicy, IngressGateway, ListenerProtocol, ListenerTls, PluginPhase,
  PluginType, PolicyTarget, RedirectScheme, RouteKind, RouteNamespaces, RouteParent, SeedScenario, TrafficMode, WasmPlugin, WasmSource, WaypointTraffic,
} from '../../src';
import { renderApiObject, usesBuiltInResolvers } from '../../src/gitops/fast-render';

/** Both renders, as text, or the error each throws. */
function both(o: ApiObject): [string, string] {
  const run = (f: () => unknown) => { try { return Yaml.stringify(f()); } catch (e: any) { return `throws ${e.message}`; } };
  return [run(() => renderApiObject(o, true)), run(() => o.toJson())];
}

/** Every kind of object the library renders, with every optional field set somewhere. */
function richApp(): App {
  const app = Testing.app();
  const seed = new SeedScenario(app, 'default');
  const ns = new AmbientNamespace(app, 'shop', { labels: { team: 'cart' }, annotations: { note: 'x' } });
  const gw = new IngressGateway(ns, 'Edge', { name: 'edge', addresses: [GatewayAddress.ipAddress('10.0.0.9')], infrastructureLabels: { team: 'edge' },
    infrastructureAnnotations: { note: 'x' }, listeners: [
      { name: 'http', port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop.example.com', allowedRoutes: RouteNamespaces.ALL },
      { name: 'tls', port: 8443, protocol: ListenerProtocol.TLS, tls: ListenerTls.passthrough(), allowedKinds: [RouteKind.of('gateway.networking.k8s.io', 'TLSRoute')] },
      { name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', tls: ListenerTls.terminate([CertificateRef.fromSecretName('shop-tls', 'certs')]),
        allowedRoutes: RouteNamespaces.SELECTOR, namespaceSelector: { matchLabels: { team: 'cart' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } },
    ] });
  gw.addHttpRoute('Route', { name: 'shop', hostnames: ['shop.example.com'], rules: [
    { matches: [HttpRouteMatch.exact('/a'), HttpRouteMatch.pathPrefix('/b')], backends: [HttpBackend.fromServiceName('cart', { port: 80, weight: 9 }), HttpBackend.fromServiceName('cart2', { port: 8080, weight: 1 })] },
    { matches: [HttpRouteMatch.regularExpression('/c/[0-9]+', { method: HttpMethod.POST, headers: [HttpHeaderMatch.exact('x-a', '1'), HttpHeaderMatch.regularExpression('x-b', 'v.*')],
      queryParams: [HttpQueryParamMatch.exact('q', '1')] })],
    filters: [HttpRouteFilter.requestHeaderModifier({ set: [{ name: 'x-s', value: '1' }], add: [{ name: 'x-a', value: '2' }], remove: ['x-r'] }),
      HttpRouteFilter.responseHeaderModifier({ add: [{ name: 'x-b', value: '3' }] }), HttpRouteFilter.requestMirror(HttpBackend.fromServiceName('cart2', { port: 8080 }), { percent: 10 }),
      HttpRouteFilter.cors({ allowOrigins: ['https://shop.example.com'], allowMethods: [HttpMethod.GET], allowCredentials: true })],
    backends: [HttpBackend.fromServiceName('cart', { port: 80 })], timeouts: { request: Duration.seconds(90), backendRequest: Duration.millis(1500) }, name: 'posts' },
    { matches: [HttpRouteMatch.pathPrefix('/old')], filters: [HttpRouteFilter.requestRedirect({ scheme: RedirectScheme.HTTPS, hostname: 'www.example.com', port: 8443, statusCode: 301, path: HttpPathModifier.replacePrefixMatch('/new') })] },
    { matches: [HttpRouteMatch.pathPrefix('/api')], filters: [HttpRouteFilter.urlRewrite({ hostname: 'cart.internal', path: HttpPathModifier.replacePrefixMatch('/') })], backends: [HttpBackend.fromServiceName('cart', { port: 80 })] },
  ] });
  new GrpcRoute(ns, 'Grpc', { name: 'grpc', parents: [RouteParent.fromGateway(gw, { sectionName: 'http' }), RouteParent.fromGatewayName('other', { namespace: 'edge', port: 80 })], rules: [
    { matches: [{ service: 'shop.v1.Cart', method: 'Get', headers: [HttpHeaderMatch.exact('x-a', '1')] }], filters: [HttpRouteFilter.requestHeaderModifier({ set: [{ name: 'x', value: 'y' }] })], backends: [HttpBackend.fromServiceName('cart', { port: 80 })] },
  ] });
  ns.addWaypoint('Waypoint', { trafficType: WaypointTraffic.ALL, revision: 'canary' });
  new Bookinfo(ns, 'Bookinfo');
  new WasmPlugin(ns, 'Full', {
    name: 'full', source: WasmSource.http('https://example.com/m.wasm'), sha256: 'a'.repeat(64), imagePullPolicy: ImagePullPolicy.ALWAYS,
    imagePullSecret: 'pull', pluginName: 'root', phase: PluginPhase.STATS, priority: -3, failStrategy: FailStrategy.FAIL_RELOAD, type: PluginType.HTTP,
    env: [{ name: 'B', value: '2' }, { name: 'A', valueFrom: EnvValueSource.HOST }], match: [{ mode: TrafficMode.CLIENT, ports: [443, 80] }],
    pluginConfig: { z: 1, a: { y: [3, { b: 1, a: 2 }], x: 'v' } }, targets: [gw, PolicyTarget.service('cart')], labels: { l: '1' }, annotations: { a: '1' },
  });
  new WasmPlugin(ns, 'Selector', { name: 'by-selector', source: WasmSource.oci('x/y:1'), selector: { app: 'cart' } });
  new WasmPlugin(ns, 'Legacy', { name: 'legacy', source: WasmSource.oci('x/y:1'), legacyTargetRef: true, targets: [gw] });
  void seed;
  return app;
}

describe('fast render', () => {
  test('equals ApiObject.toJson() for every object the library renders', () => {
    const objects = richApp().node.findAll().filter(ApiObject.isApiObject);
    expect(objects).toHaveLength(47); // the seed's 24, and 23 in shop (with a GRPCRoute and a ReferenceGrant)
    for (const o of objects) {
      expect(renderApiObject(o, true)).toBeDefined(); // every object of ours takes the fast path
      const [fast, cdk8s] = both(o);
      expect(fast).toBe(cdk8s);
    }
  });

  test('renders our CRD kinds byte for byte as their generated L1 classes do', () => {
    const objects = richApp().node.findAll().filter(ApiObject.isApiObject).filter((o) => ['Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'WasmPlugin'].includes(o.kind));
    expect(new Set(objects.map((o) => o.kind)).size).toBe(5);
    const scratch = new Chart(Testing.app(), 'scratch');
    objects.forEach((o, i) => {
      const json: any = o.toJson();
      const L1: any = { Gateway: GatewayL1, HTTPRoute: HttpRouteL1, GRPCRoute: GrpcRouteL1, ReferenceGrant: ReferenceGrantL1, WasmPlugin: WasmPluginL1 }[o.kind];
      const l1 = new L1(scratch, `o${i}`, { metadata: json.metadata, spec: json.spec });
      expect(Yaml.stringify(o.toJson())).toBe(Yaml.stringify(l1.toJson()));
    });
  });

  test('equals toJson() on Lazy values, union classes, tokens, nulls, patches and added metadata', () => {
    class IntOrString { constructor(public readonly value: number | string) {} }
    class Token { constructor(private readonly v: unknown) {} public resolve() { return this.v; } }
    const chart = Testing.chart();
    const o = new ApiObject(chart, 'x', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { b: '1', a: Lazy.any({ produce: () => '2' }) as any }, finalizers: [] },
      data: { z: Lazy.any({ produce: () => ({ nested: Lazy.any({ produce: () => [new IntOrString(80), null, undefined, new Token('t')] }) }) }), a: null, m: undefined },
      spec: { port: new IntOrString('http'), token: new Token({ k: new Token(1) }), empty: {}, list: [] },
    });
    o.metadata.addLabel('c', '3');
    o.metadata.addAnnotation('ann', 'v');
    o.addJsonPatch(JsonPatch.add('/spec/added', [1]), JsonPatch.remove('/spec/empty'));
    const [fast, cdk8s] = both(o);
    expect(fast).toBe(cdk8s);
  });

  test('fails with the message toJson() fails with, on an object cdk8s cannot render', () => {
    class Odd { public readonly a = 1; }
    const o = new ApiObject(Testing.chart(), 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'odd' }, data: { odd: new Odd() } });
    const [fast, cdk8s] = both(o);
    expect(fast).toMatch(/^throws Failed serializing construct at path 'test\/x' with name 'odd': Error: can't render non-simple object of type 'Odd'/);
    expect(fast).toBe(cdk8s);
  });

  test('equals toJson() for random objects', () => {
    class IntOrString { constructor(public readonly value: number | string) {} }
    const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.integer().map((n) => new IntOrString(n)), fc.string({ maxLength: 4 }).map((s) => Lazy.any({ produce: () => s })));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, tie('arr'), tie('obj'), tie('lazy')),
      arr: fc.array(tie('v'), { maxLength: 4 }),
      obj: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), tie('v'), { maxKeys: 5 }),
      lazy: tie('obj').map((x) => Lazy.any({ produce: () => x })),
    })).obj;
    fc.assert(fc.property(value, fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }), (spec, labels) => {
      const o = new ApiObject(Testing.chart(), 'x', { apiVersion: 'v1', kind: 'K', metadata: { name: 'n', labels }, spec });
      const [fast, cdk8s] = both(o);
      return fast === cdk8s;
    }), { numRuns: 1500 });
  });

  test('steps aside for subclasses that override toJson() and for apps with resolvers of their own', () => {
    const app = Testing.app();
    const d = new kplus.Deployment(new Chart(app, 'c'), 'D', { containers: [{ image: 'nginx' }] });
    expect(renderApiObject(ApiObject.of(d), true)).toBeUndefined();
    // the sample Services subclass ApiObject without overriding toJson(): they stay on the fast path
    const reviews = new Bookinfo(new AmbientNamespace(app, 'shop'), 'Bookinfo').reviews;
    expect(Object.getPrototypeOf(reviews)).not.toBe(ApiObject.prototype);
    expect(renderApiObject(reviews, true)).toEqual(reviews.toJson());
    expect(usesBuiltInResolvers(app)).toBe(true);
    expect(usesBuiltInResolvers(new App({ resolvers: [{ resolve: () => undefined }] }))).toBe(false);
  });
});
