import { SourcedManifest } from '../../src/model/manifest';

/** A small ambient namespace `shop` with a waypoint, an ingress gateway and Services, as plain manifests. */
export function base(): any[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { ports: [{ port: 80, name: 'http' }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'shop' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'shop' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
  ];
}

export function plugin(spec: any, name = 'cart-auth', namespace = 'shop'): any {
  return { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name, namespace },
    spec: { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', phase: 'AUTHN', ...spec } };
}

export const GOOD_CONFIG = { basic_auth_rules: [{ prefix: '/cart', request_methods: ['GET'], credentials: ['ok:test'] }] };

export function sourced(objects: any[]): SourcedManifest[] {
  return objects.map((manifest, i) => ({ manifest, origin: `fixture.yaml:${i + 1}` }));
}
