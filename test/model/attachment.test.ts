import { MeshModel } from '../../src/model/mesh-model';
import { DeadRefReason, ProxyKind, attaches, matchPasses, resolveTargets } from '../../src/model/attachment';
import { sourced } from '../rules/fixtures';

const GW = 'gateway.networking.k8s.io';
const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const svc = (name: string, namespace: string, labels: Record<string, string> = {}) =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { ports: [{ port: 9080, name: 'http' }] } });
const gateway = (name: string, namespace: string, cls: string, labels: Record<string, string> = {}) =>
  ({ apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name, namespace, labels }, spec: { gatewayClassName: cls, listeners: [] } });
const plugin = (name: string, namespace: string, spec: any) =>
  ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name, namespace }, spec: { url: 'oci://x/y:1', ...spec } });

// the seed's end state, reduced to what attachment reads
function seed(extra: any[] = []) {
  const model = MeshModel.build(sourced([
    ns('default', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
    svc('productpage', 'default'), svc('reviews', 'default'),
    gateway('bookinfo-gateway', 'default', 'istio'), gateway('waypoint', 'default', 'istio-waypoint'),
    plugin('basic-auth-at-gateway', 'default', { targetRefs: [{ group: GW, kind: 'Gateway', name: 'bookinfo-gateway' }] }),
    plugin('basic-auth-at-waypoint', 'default', { targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint' }] }),
    plugin('basic-auth-for-service', 'default', { targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }] }),
    ...extra,
  ]));
  const get = (kind: string, name: string, namespace = 'default') => model.entries.find((e) => e.kind === kind && e.name === name && e.namespace === namespace)!;
  return { model, get };
}

describe('attachment (SEMANTICS 4.4)', () => {
  test('the seed plugins attach where the worked example says', () => {
    const { model, get } = seed();
    const ingress = { proxy: get('Gateway', 'bookinfo-gateway'), kind: ProxyKind.INGRESS };
    const wpFor = (s: string) => ({ proxy: get('Gateway', 'waypoint'), kind: ProxyKind.WAYPOINT, service: get('Service', s) });
    const at = (p: string, place: any) => attaches(model, get('WasmPlugin', p), place).attached;

    expect(at('basic-auth-at-gateway', ingress)).toBe(true);
    expect(at('basic-auth-at-gateway', wpFor('productpage'))).toBe(false);
    expect(at('basic-auth-at-waypoint', wpFor('productpage'))).toBe(true);
    expect(at('basic-auth-at-waypoint', wpFor('reviews'))).toBe(true);
    expect(at('basic-auth-at-waypoint', ingress)).toBe(false);
    expect(at('basic-auth-for-service', wpFor('reviews'))).toBe(true);
    expect(at('basic-auth-for-service', wpFor('productpage'))).toBe(false);
    expect(at('basic-auth-for-service', ingress)).toBe(false);
  });

  test('resolution lists the places each target leads to', () => {
    const { model, get } = seed();
    const [svcRef] = resolveTargets(model, get('WasmPlugin', 'basic-auth-for-service'));
    expect(svcRef.dead).toBeUndefined();
    expect(svcRef.places.map((p) => `${p.kind} ${p.proxy.name} ${p.service?.name}`)).toEqual(['waypoint waypoint reviews']);
  });

  test('a Service target with group "core" is the same as ""; a Gateway with no group is nothing', () => {
    const { model, get } = seed([
      plugin('core-group', 'default', { targetRefs: [{ group: 'core', kind: 'Service', name: 'reviews' }] }),
      plugin('no-group', 'default', { targetRefs: [{ kind: 'Gateway', name: 'waypoint' }] }),
    ]);
    expect(resolveTargets(model, get('WasmPlugin', 'core-group'))[0].places).toHaveLength(1);
    expect(resolveTargets(model, get('WasmPlugin', 'no-group'))[0].dead).toBe(DeadRefReason.UNSUPPORTED_KIND);
  });

  test('a selector plugin runs on the ingress gateway it matches, never on a waypoint', () => {
    const { model, get } = seed([
      plugin('by-label', 'default', { selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' } } }),
      plugin('other-label', 'default', { selector: { matchLabels: { app: 'x' } } }),
    ]);
    const ingress = { proxy: get('Gateway', 'bookinfo-gateway'), kind: ProxyKind.INGRESS };
    const wp = { proxy: get('Gateway', 'waypoint'), kind: ProxyKind.WAYPOINT, service: get('Service', 'reviews') };
    expect(attaches(model, get('WasmPlugin', 'by-label'), ingress).attached).toBe(true);
    expect(attaches(model, get('WasmPlugin', 'other-label'), ingress).attached).toBe(false);
    expect(attaches(model, get('WasmPlugin', 'by-label'), wp)).toMatchObject({ attached: false, reason: expect.stringMatching(/waypoint-type proxies ignore selector/) });
  });

  test('a GatewayClass target from the root namespace reaches every waypoint; from elsewhere, none', () => {
    const { model, get } = seed([
      gateway('waypoint', 'other', 'istio-waypoint'),
      plugin('mesh', 'istio-system', { targetRefs: [{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }] }),
      plugin('local', 'default', { targetRefs: [{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }] }),
    ]);
    expect(resolveTargets(model, get('WasmPlugin', 'mesh', 'istio-system'))[0].places.map((p) => p.proxy.namespace)).toEqual(['default', 'other']);
    expect(attaches(model, get('WasmPlugin', 'mesh', 'istio-system'), { proxy: get('Gateway', 'waypoint', 'other'), kind: ProxyKind.WAYPOINT }).attached).toBe(true);
    expect(resolveTargets(model, get('WasmPlugin', 'local'))[0].dead).toBe(DeadRefReason.NOT_ROOT_NAMESPACE);
  });

  test('a plugin in a third namespace is not read by the proxy', () => {
    const { model, get } = seed([plugin('far', 'elsewhere', { targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint' }] })]);
    const d = attaches(model, get('WasmPlugin', 'far', 'elsewhere'), { proxy: get('Gateway', 'waypoint'), kind: ProxyKind.WAYPOINT, service: get('Service', 'reviews') });
    expect(d).toMatchObject({ attached: false, reason: expect.stringMatching(/namespace elsewhere/) });
  });

  test('match: waypoint HTTP chains are SERVER on port 0, so any port list or CLIENT mode excludes them', () => {
    const waypoint = { mode: 'SERVER' as const, port: 0 };
    const ingress = { mode: 'CLIENT' as const, port: 80 };
    expect(matchPasses(undefined, waypoint)).toBe(true);
    expect(matchPasses([{ ports: [{ number: 80 }] }], waypoint)).toBe(false);
    expect(matchPasses([{ ports: [{ number: 80 }] }], ingress)).toBe(true);
    expect(matchPasses([{ mode: 'CLIENT' }], waypoint)).toBe(false);
    expect(matchPasses([{ mode: 'CLIENT_AND_SERVER' }], waypoint)).toBe(true);
    expect(matchPasses([{ mode: 'SERVER' }], ingress)).toBe(false);
  });
});
