import * as path from 'path';
import { loadManifests } from '../../src/loader/load';
import { SourcedManifest } from '../../src/model/manifest';
import { SimulationResult, Simulator } from '../../src/simulate';

export const DIST = path.join(__dirname, '..', '..', 'dist');
export const GATEWAY_URL = 'http://bookinfo-gateway-istio.default.svc.cluster.local/productpage';
export const ADMIN3 = 'Basic YWRtaW4zOmFkbWluMw==';
export const REVIEWS_CRED = 'Basic MXQtaW4zOmFkbWluMw==';
export const BASIC_AUTH_URL = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0';
const GW = 'gateway.networking.k8s.io';

let dist: SourcedManifest[] | undefined;

/** Every object under dist/, read recursively whatever its layout (the synthesized seed scenario). */
export function distObjects(): SourcedManifest[] {
  if (!dist) {
    const loaded = loadManifests([DIST]);
    if (loaded.errors.length > 0) throw new Error(`dist/ does not load: ${JSON.stringify(loaded.errors[0])}`);
    dist = loaded.objects;
  }
  return dist.map((o) => ({ ...o, manifest: JSON.parse(JSON.stringify(o.manifest)) }));
}

const is = (o: SourcedManifest, kind: string, name: string) => o.manifest.kind === kind && o.manifest.metadata?.name === name;

/**
 * The seed's state after each step, derived from dist/ (its final state):
 * 1 gateway plugin only, no waypoint; 2 waypoint enrolled, no plugin there; 2.5 waypoint plugin added; 3 final.
 */
export function seedState(step: 1 | 2 | 2.5 | 3): SourcedManifest[] {
  let objects = distObjects();
  if (step < 3) objects = objects.filter((o) => !is(o, 'WasmPlugin', 'basic-auth-for-service'));
  if (step < 2.5) objects = objects.filter((o) => !is(o, 'WasmPlugin', 'basic-auth-at-waypoint'));
  if (step < 2) {
    objects = objects.filter((o) => !is(o, 'Gateway', 'waypoint'));
    for (const o of objects) if (is(o, 'Namespace', 'default')) delete (o.manifest.metadata!.labels as any)['istio.io/use-waypoint'];
  }
  return objects;
}

export function sim(objects: readonly SourcedManifest[] | readonly any[]): Simulator {
  return Simulator.from(objects);
}

/** A GET from default/curl. */
export function curl(s: Simulator, url: string, headers: Record<string, string> = {}, method = 'GET', from = 'default/curl'): SimulationResult {
  return s.simulate({ from, method, url, headers });
}

/** The hops as `kind at` strings, for asserting the path. */
export function path_(r: SimulationResult): string[] {
  return r.hops.map((h) => `${h.kind} ${h.at}`);
}

/** The outcome of each plugin at the hop of `kind`, as `plugin outcome`. */
export function pluginsAt(r: SimulationResult, kind: string, index = 0): string[] {
  const hop = r.hops.filter((h) => h.kind === kind)[index];
  if (!hop) throw new Error(`no ${kind} hop in ${path_(r).join(' > ')}`);
  return (hop.plugins ?? []).map((p) => `${p.plugin} ${p.outcome}`);
}

// small meshes built from objects, for cases synth would refuse

export const ns = (name: string, labels: Record<string, string> = { 'istio.io/dataplane-mode': 'ambient' }) =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

export const svc = (name: string, namespace: string, labels: Record<string, string> = {}, port = 9080, portName = 'http') =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { selector: { app: name }, ports: [{ name: portName, port }] } });

export const deploy = (name: string, namespace: string, podLabels: Record<string, string> = {}, extra: any = {}) =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, ...podLabels }, ...extra.metadata }, spec: { containers: [{ name, image: `example/${name}`, ...extra.container }] } } } });

export const waypoint = (namespace: string, labels: Record<string, string> = {}, name = 'waypoint') =>
  ({ apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name, namespace, labels }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } });

export const ingress = (name: string, namespace: string, listeners: any[] = [{ name: 'http', port: 80, protocol: 'HTTP' }]) =>
  ({ apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name, namespace }, spec: { gatewayClassName: 'istio', listeners } });

export const route = (name: string, namespace: string, spec: any) =>
  ({ apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name, namespace }, spec });

export const basicAuth = (name: string, namespace: string, targetRefs: any[] | undefined, config: any, extra: any = {}) =>
  ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name, namespace, ...(extra.metadata ?? {}) },
    spec: { url: BASIC_AUTH_URL, phase: 'AUTHN', ...(targetRefs ? { targetRefs } : {}), pluginConfig: config, ...(extra.spec ?? {}) } });

export const toGateway = (name: string) => [{ group: GW, kind: 'Gateway', name }];
export const toService = (name: string) => [{ group: '', kind: 'Service', name }];

/** `shop`: ambient, namespace waypoint, Services cart and web with their Deployments, a client `shop/client`. */
export function shop(extra: any[] = [], nsLabels: Record<string, string> = { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }): any[] {
  return [ns('shop', nsLabels), waypoint('shop'), svc('cart', 'shop'), deploy('cart', 'shop'), svc('web', 'shop'), deploy('web', 'shop'), deploy('client', 'shop'), ...extra];
}

export const rule = (match: Record<string, string>, credentials: string[] = ['ok:test'], methods: string[] = ['GET', 'POST'], more: any = {}) =>
  ({ ...match, request_methods: methods, credentials, ...more });
