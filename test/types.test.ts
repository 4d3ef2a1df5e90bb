// Types that guide. The `@ts-expect-error` lines are the compile-time half of these tests: `npm run typecheck`
// (run by CI) fails if any of them compiles. The runtime half is asserted here.
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, Curl, HttpMethod, IngressGateway, IService, PathMatch,
  PolicyTarget, ServiceReference,
} from '../src';
import { find, synth } from './helpers';

const credentials = [BasicAuthCredential.plain('ok', 'test')];

describe('Services: what can only be a Service', () => {
  test('a kplus.Service of cdk8s-plus-33, the sample Services and a checked ApiObject are accepted', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    const waypoint = ns.addWaypoint('Waypoint', { enrollNamespace: false });
    const cart = new kplus.Service(ns, 'Cart', { metadata: { name: 'cart' }, ports: [{ port: 80 }] });
    const bookinfo = new Bookinfo(ns, 'Bookinfo');
    const curl = new Curl(ns, 'Curl');
    const raw = ServiceReference.fromApiObject(new ApiObject(ns, 'Ledger', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ledger' }, spec: { ports: [{ port: 80 }] } }));
    const services: IService[] = [cart, bookinfo.reviews, curl.service, raw];
    for (const s of services) waypoint.bindService(s);
    new BasicAuthPlugin(ns, 'Auth', {
      name: 'auth', targets: services.map((s) => PolicyTarget.fromService(s)),
      rules: [new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials })],
    });
    const out = synth(ns);
    expect(find(out, 'WasmPlugin', 'auth').spec.targetRefs).toEqual(['cart', 'reviews', 'curl', 'ledger'].map((name) => ({ group: '', kind: 'Service', name })));
    for (const name of ['cart', 'reviews', 'curl', 'ledger']) expect(find(out, 'Service', name).metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
  });

  test('a Deployment, a ConfigMap or a raw ApiObject does not compile; a JavaScript caller gets a clear error', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    const waypoint = ns.addWaypoint();
    const web = new kplus.Deployment(ns, 'Web', { containers: [{ image: 'nginx' }] });
    const config = new kplus.ConfigMap(ns, 'Config');
    const raw = new ApiObject(ns, 'Raw', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'raw' } });
    // @ts-expect-error a Deployment is not a Service
    expect(() => PolicyTarget.fromService(web)).toThrow(/^PolicyTarget\.fromService: service: must be a v1 Service \(got "apps\/v1\/Deployment" at shop\/Web\); pass a sample Service, a kplus\.Service, or ServiceReference\.fromApiObject\(apiObject\)$/);
    // @ts-expect-error a ConfigMap is not a Service
    expect(() => waypoint.bindService(config)).toThrow(/bindService: service: must be a v1 Service \(got "v1\/ConfigMap" at shop\/Config\)/);
    // @ts-expect-error a raw ApiObject must go through ServiceReference.fromApiObject(), which checks its kind
    expect(() => PolicyTarget.fromService(raw)).toThrow(/must be a v1 Service \(got "apps\/v1\/Deployment" at shop\/Raw\)/);
    expect(() => ServiceReference.fromApiObject(raw)).toThrow(/^ServiceReference\.fromApiObject \(shop\/Raw\): apiObject: must be a v1 Service \(got "apps\/v1\/Deployment"\); /);
    expect(() => ServiceReference.fromApiObject(ApiObject.of(web))).toThrow(/got "apps\/v1\/Deployment"/);
  });
});

describe('methods: HttpMethod, with any method token as the escape hatch', () => {
  test('renders the method text; HttpMethod.of() takes any token', () => {
    const rule = new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET, HttpMethod.of('PURGE')], credentials });
    expect(rule.toJson().request_methods).toEqual(['GET', 'PURGE']);
    expect(rule.methods).toEqual([HttpMethod.GET, HttpMethod.of('PURGE')]);
    // @ts-expect-error methods are HttpMethod values, not strings
    new BasicAuthRule({ match: PathMatch.prefix('/'), methods: ['GET'], credentials });
  });
});

describe('IngressGateway', () => {
  test('name defaults to the construct id, as AmbientNamespace and WasmPlugin names do', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    const gw = new IngressGateway(ns, 'edge');
    expect(gw.name).toBe('edge');
    expect(find(synth(ns), 'Gateway', 'edge').spec.gatewayClassName).toBe('istio');
    expect(new IngressGateway(ns, 'Other', { name: 'public' }).name).toBe('public');
  });

  test('fails on an id that is not a valid name when no name is given', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    expect(() => new IngressGateway(ns, 'Edge')).toThrow(/Gateway shop\/Edge \(shop\/Edge\): metadata\.name: .*\(got "Edge"\)/);
  });
});
