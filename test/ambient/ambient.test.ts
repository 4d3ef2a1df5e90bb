import { ApiObject, Testing } from 'cdk8s';
import { AmbientNamespace, Waypoint, WaypointNamespaces, WaypointTraffic } from '../../src';
import { find, synth } from '../helpers';

describe('AmbientNamespace', () => {
  test('labels the namespace ambient and places children in it', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop', { labels: { team: 'cart' } });
    new ApiObject(ns, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    const out = synth(ns);
    expect(find(out, 'Namespace', 'shop').metadata).toEqual({ name: 'shop', labels: { team: 'cart', 'istio.io/dataplane-mode': 'ambient' } });
    expect(find(out, 'ConfigMap', 'c').metadata.namespace).toBe('shop');
  });

  test('addWaypoint enrolls the namespace like istioctl waypoint apply --enroll-namespace', () => {
    const ns = new AmbientNamespace(Testing.app(), 'ns', { name: 'default' });
    const wp = ns.addWaypoint();
    expect(ns.waypoint).toBe(wp);
    const out = synth(ns);
    expect(find(out, 'Namespace', 'default').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
    expect(find(out, 'Gateway', 'waypoint').metadata).toEqual({ name: 'waypoint', namespace: 'default' });
  });

  test('useWaypoint of another namespace also sets use-waypoint-namespace', () => {
    const app = Testing.app();
    const infra = new AmbientNamespace(app, 'infra');
    const shared = infra.addWaypoint('Shared', { name: 'shared', enrollNamespace: false, allowedNamespaces: WaypointNamespaces.ALL });
    const shop = new AmbientNamespace(app, 'shop');
    shop.useWaypoint(shared);
    expect(find(synth(shop), 'Namespace', 'shop').metadata.labels).toEqual({
      'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra',
    });
    expect(find(synth(infra), 'Gateway', 'shared').spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'All' } });
  });

  test('enclosing() finds the enclosing namespace and fails outside one', () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop');
    const wp = ns.addWaypoint();
    expect(AmbientNamespace.enclosing(wp)).toBe(ns);
    expect(AmbientNamespace.enclosing(ns)).toBe(ns);
    expect(() => AmbientNamespace.enclosing(app)).toThrow(/^AmbientNamespace\.enclosing \(\): no enclosing AmbientNamespace/);
  });

  test('the deprecated of() still answers like enclosing() in TypeScript', () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop');
    const wp = ns.addWaypoint();
    expect(AmbientNamespace.of(wp)).toBe(ns);
    expect(() => AmbientNamespace.of(app)).toThrow(/^AmbientNamespace\.of \(\): no enclosing AmbientNamespace/);
  });

  test('fails on a name that is not a DNS label', () => {
    expect(() => new AmbientNamespace(Testing.app(), 'Shop_1')).toThrow(/WASM015 Namespace Shop_1 \(Shop_1\): metadata\.name: must be a lowercase RFC 1123 label.*\(got "Shop_1"\)/);
  });
});

describe('Waypoint', () => {
  test('renders the label waypoint-for and rev only when set', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    new Waypoint(ns, 'W', { name: 'svc-waypoint', trafficType: WaypointTraffic.ALL, revision: 'canary' });
    expect(find(synth(ns), 'Gateway', 'svc-waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'all', 'istio.io/rev': 'canary' });
  });

  test('fails on the name none', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    expect(() => ns.addWaypoint('W', { name: 'none' })).toThrow(/AMB001 Gateway shop\/none \(shop\/W\): metadata\.name: "none" is reserved.*\(got "none"\); pick another name/);
  });

  test('bindService refuses a non-Service at runtime too (JavaScript callers), naming what it got', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    const wp = ns.addWaypoint();
    const cm = new ApiObject(ns, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(() => wp.bindService(cm as any)).toThrow(/^Waypoint shop\/waypoint \(shop\/Waypoint\): bindService: service: must be a v1 Service \(got "v1\/ConfigMap" at shop\/cm\); pass a sample Service, a kplus\.Service, or ServiceReference\.fromApiObject\(apiObject\)$/);
  });

  test('bindServiceEntry binds a ServiceEntry, and refuses anything else', () => {
    const ns = new AmbientNamespace(Testing.app(), 'shop');
    const wp = ns.addWaypoint('Waypoint', { enrollNamespace: false });
    const se = new ApiObject(ns, 'se', { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext' },
      spec: { hosts: ['ext.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' } });
    wp.bindServiceEntry(se);
    expect(find(synth(ns), 'ServiceEntry', 'ext').metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    const svc = new ApiObject(ns, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } });
    expect(() => wp.bindServiceEntry(svc)).toThrow(/bindServiceEntry: serviceEntry: must be a networking\.istio\.io ServiceEntry \(got "v1\/Service at shop\/svc"\); .*bindService\(\)/);
  });
});
