// WASM029 (an auth plugin at a waypoint that ingress traffic skips) reads the routes through the model's route
// resolution, the one the GW rules and the simulator read: only a route that attaches, and only backends that get
// traffic, make an ingress path.
import * as path from 'path';
import { loadManifests } from '../../src/loader/load';
import { MeshModel } from '../../src/model/mesh-model';
import { runRules } from '../../src/rules';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

// the bad fixture (a basic_auth plugin on cart's waypoint, an HTTPRoute of edge to cart), its route replaced
function skipsWith(route: any, extra: any[] = []): string[] {
  const loaded = loadManifests([path.join(FIXTURES, 'base.yaml'), path.join(FIXTURES, 'WASM029.bad.yaml')]);
  const objects = loaded.objects.filter((o) => o.manifest.kind !== 'HTTPRoute');
  const added = [route, ...extra].map((manifest, i) => ({ manifest, origin: `case.yaml:${i + 1}` }));
  return runRules(MeshModel.build([...objects, ...added])).filter((f) => f.code === 'WASM029').map((f) => f.message);
}

const route = (kind: string, spec: any) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name: 'cart', namespace: 'shop' }, spec });
const toCart = [{ backendRefs: [{ name: 'cart', port: 80 }] }];

describe('WASM029 reads routes as the model resolves them', () => {
  test('an HTTPRoute that attaches to the gateway and sends to the Service', () => {
    expect(skipsWith(route('HTTPRoute', { parentRefs: [{ name: 'edge' }], rules: toCart }))).toEqual([
      expect.stringContaining('ingress gateway shop/edge (HTTPRoute shop/cart) sends straight to the Service\'s pods'),
    ]);
  });

  test('a GRPCRoute is ingress traffic too', () => {
    expect(skipsWith(route('GRPCRoute', { parentRefs: [{ name: 'edge' }], rules: toCart }))).toEqual([
      expect.stringContaining('(GRPCRoute shop/cart)'),
    ]);
  });

  test('a route that attaches to no listener makes no path: a sectionName or a hostname no listener has', () => {
    expect(skipsWith(route('HTTPRoute', { parentRefs: [{ name: 'edge', sectionName: 'https' }], rules: toCart }))).toEqual([]);
    const hostGateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' }] } };
    const loaded = loadManifests([path.join(FIXTURES, 'base.yaml'), path.join(FIXTURES, 'WASM029.bad.yaml')]);
    const objects = loaded.objects.filter((o) => o.manifest.kind !== 'HTTPRoute' && !(o.manifest.kind === 'Gateway' && o.manifest.metadata?.name === 'edge'));
    const model = MeshModel.build([...objects, ...[hostGateway, route('HTTPRoute', { parentRefs: [{ name: 'edge' }], hostnames: ['other.example.com'], rules: toCart })]
      .map((manifest, i) => ({ manifest, origin: `case.yaml:${i + 1}` }))]);
    expect(runRules(model).filter((f) => f.code === 'WASM029')).toEqual([]);
  });

  test('a backend that gets no traffic makes no path: weight 0, a port the Service lacks, a route istiod refuses', () => {
    expect(skipsWith(route('HTTPRoute', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'cart', port: 80, weight: 0 }] }] }))).toEqual([]);
    expect(skipsWith(route('HTTPRoute', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'cart', port: 8080 }] }] }))).toEqual([]);
    expect(skipsWith(route('HTTPRoute', { parentRefs: [{ name: 'edge' }], rules: [{ filters: [{ type: 'ExtensionRef' }], backendRefs: [{ name: 'cart', port: 80 }] }] }))).toEqual([]);
  });

  test('a route in another namespace reaches the Service only with a ReferenceGrant, and only where the listener admits it', () => {
    const other = { ...route('HTTPRoute', { parentRefs: [{ name: 'edge', namespace: 'shop' }], rules: [{ backendRefs: [{ name: 'cart', namespace: 'shop', port: 80 }] }] }), metadata: { name: 'cart', namespace: 'front' } };
    const grant = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'front', namespace: 'shop' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'front' }], to: [{ group: '', kind: 'Service' }] } };
    // edge admits its own namespace only (allowedRoutes default Same)
    expect(skipsWith(other, [grant])).toEqual([]);
    const all = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } };
    const loaded = loadManifests([path.join(FIXTURES, 'base.yaml'), path.join(FIXTURES, 'WASM029.bad.yaml')]);
    const objects = loaded.objects.filter((o) => o.manifest.kind !== 'HTTPRoute' && !(o.manifest.kind === 'Gateway' && o.manifest.metadata?.name === 'edge'));
    const skips = (extra: any[]) => runRules(MeshModel.build([...objects, ...[all, other, ...extra].map((manifest, i) => ({ manifest, origin: `case.yaml:${i + 1}` }))]))
      .filter((f) => f.code === 'WASM029').length;
    expect(skips([])).toBe(0);
    expect(skips([grant])).toBe(1);
  });
});
