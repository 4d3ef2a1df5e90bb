import { Testing } from 'cdk8s';
import { SeedScenario } from '../../src';
import { find, ofKind, synth } from '../helpers';

describe('SeedScenario', () => {
  test('renders the three basic-auth plugins of the task with their targets', () => {
    // GIVEN / WHEN
    const app = Testing.app();
    const out = synth(new SeedScenario(app, 'default'));

    // THEN
    const gw = find(out, 'WasmPlugin', 'basic-auth-at-gateway');
    expect(gw.metadata.namespace).toBe('default');
    expect(gw.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway' }]);
    expect(gw.spec.phase).toBe('AUTHN');
    expect(gw.spec.url).toBe('oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');
    expect(gw.spec.pluginConfig).toEqual({
      basic_auth_rules: [{ prefix: '/productpage', request_methods: ['GET', 'POST'], credentials: ['ok:test', 'YWRtaW4zOmFkbWluMw=='] }],
    });
    const wp = find(out, 'WasmPlugin', 'basic-auth-at-waypoint');
    expect(wp.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }]);
    const svc = find(out, 'WasmPlugin', 'basic-auth-for-service');
    expect(svc.spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
    expect(svc.spec.pluginConfig.basic_auth_rules[0]).toEqual({ prefix: '/reviews', request_methods: ['GET', 'POST'], credentials: ['ok:test', 'MXQtaW4zOmFkbWluMw=='] });
    expect(ofKind(out, 'WasmPlugin')).toHaveLength(3);
  });

  test('enrolls the namespace in ambient mode with its waypoint', () => {
    const out = synth(new SeedScenario(Testing.app(), 'default'));
    const ns = find(out, 'Namespace', 'default');
    expect(ns.metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(ns.metadata.namespace).toBeUndefined();
    const waypoint = find(out, 'Gateway', 'waypoint');
    expect(waypoint.spec).toEqual({ gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
    expect(waypoint.metadata.labels).toBeUndefined();
  });

  test('every namespaced object sets namespace default explicitly', () => {
    const out = synth(new SeedScenario(Testing.app(), 'default'));
    for (const m of out.filter((o) => o.kind !== 'Namespace')) expect(m.metadata.namespace).toBe('default');
  });

  test('legacy form renders seed 003: singular targetRef, sleep client, no Service plugin', () => {
    const out = synth(new SeedScenario(Testing.app(), 'legacy', { namespace: 'bookinfo-legacy', legacy: true }));
    const gw = find(out, 'WasmPlugin', 'basic-auth-at-gateway');
    expect(gw.spec.targetRef).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway' });
    expect(gw.spec.targetRefs).toBeUndefined();
    expect(find(out, 'WasmPlugin', 'basic-auth-at-waypoint').spec.targetRef.name).toBe('waypoint');
    expect(ofKind(out, 'WasmPlugin')).toHaveLength(2);
    expect(find(out, 'Deployment', 'sleep').metadata.namespace).toBe('bookinfo-legacy');
    expect(out.some((m) => m.metadata.name === 'curl')).toBe(false);
  });

  test('synthesizes byte-identical output twice', () => {
    const a = JSON.stringify(synth(new SeedScenario(Testing.app(), 'default')));
    const b = JSON.stringify(synth(new SeedScenario(Testing.app(), 'default')));
    expect(a).toBe(b);
  });
});
