/**
 * A generated mesh of any size and a timing of the simulator on it, for the project benchmark. Not used by
 * the simulator itself; `performance.now()` is read here only.
 */
import { stringify } from 'yaml';
import { parseManifests } from '../loader/load';
import { Manifest, SourcedManifest } from '../model/manifest';
import { Simulator } from './simulator';
import { SimulationRequest } from './types';

const GW = 'gateway.networking.k8s.io';
const BASIC_AUTH = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0';

/** The 20 objects of one generated namespace `ns-<i>`: ambient with a waypoint, 4 apps, an ingress and route, 3 plugins. */
function namespaceObjects(i: number): Manifest[] {
  const ns = `ns-${i}`;
  const apps = ['web', 'cart', 'orders', 'client'];
  const out: Manifest[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } },
    { apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name: 'waypoint', namespace: ns }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } },
    { apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name: 'edge', namespace: ns }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
    { apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name: 'edge', namespace: ns },
      spec: { parentRefs: [{ name: 'edge' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 8080 }] }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { mode: 'bench' } },
  ];
  for (const app of apps) {
    out.push(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: app, namespace: ns } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { selector: { app }, ports: [{ name: 'http', port: 8080 }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns },
        spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { serviceAccountName: app, containers: [{ name: app, image: `example/${app}:1` }] } } } },
    );
  }
  const plugin = (name: string, targetRefs: any[], prefix: string): Manifest => ({
    apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name, namespace: ns },
    spec: { url: BASIC_AUTH, phase: 'AUTHN', targetRefs, pluginConfig: { basic_auth_rules: [{ prefix, request_methods: ['GET', 'POST'], credentials: ['ok:test'] }] } },
  });
  out.push(
    plugin('edge-auth', [{ group: GW, kind: 'Gateway', name: 'edge' }], '/admin'),
    plugin('waypoint-auth', [{ group: GW, kind: 'Gateway', name: 'waypoint' }], '/private'),
    plugin('cart-auth', [{ group: '', kind: 'Service', name: 'cart' }], '/cart'),
  );
  return out;
}

/** A mesh of `namespaces` generated namespaces (20 objects each) plus one mesh-wide plugin in istio-system. */
export function syntheticMesh(namespaces: number): SourcedManifest[] {
  const out: SourcedManifest[] = [{ origin: 'synthetic:0', manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } } }, {
    origin: 'synthetic:1',
    manifest: { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'mesh-stats', namespace: 'istio-system' },
      spec: { url: 'oci://example.com/stats:1', phase: 'STATS', targetRefs: [{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }] } },
  }];
  for (let i = 0; i < namespaces; i++) {
    for (const manifest of namespaceObjects(i)) out.push({ manifest, origin: `synthetic:${out.length}` });
  }
  return out;
}

/** Requests spread over the generated namespaces: through waypoints and through the ingress, denied and passed. */
export function syntheticRequests(namespaces: number, count: number): SimulationRequest[] {
  const out: SimulationRequest[] = [];
  for (let k = 0; k < count; k++) {
    const ns = `ns-${(k * 7919) % namespaces}`;
    const kind = k % 4;
    const url = kind === 0 ? 'http://cart:8080/cart/1' : kind === 1 ? 'http://orders:8080/private/x' : kind === 2 ? 'http://edge-istio/admin' : `http://web.${ns}:8080/`;
    out.push({ from: `${ns}/client`, url, headers: k % 3 === 0 ? { Authorization: 'Basic b2s6dGVzdA==' } : {} });
  }
  return out;
}

export interface SimulateBenchOptions {
  /** @default 3000 */
  readonly namespaces?: number;
  /** @default 1000 */
  readonly requests?: number;
  /** Render the mesh to YAML and parse it back first, to time the loader too. @default false */
  readonly viaYaml?: boolean;
}

export interface SimulateBenchResult {
  readonly objects: number;
  /** YAML parsing, when `viaYaml`. */
  readonly parseMs?: number;
  /** Model and simulator indexes, built once. */
  readonly buildMs: number;
  readonly requests: number;
  readonly simulateMs: number;
  readonly perRequestMs: number;
  /** How many requests got each status. */
  readonly statuses: Record<string, number>;
}

/** Times building the simulator on a generated mesh and simulating requests against it. */
export function benchSimulate(options: SimulateBenchOptions = {}): SimulateBenchResult {
  const namespaces = options.namespaces ?? 3000;
  let objects = syntheticMesh(namespaces);
  let parseMs: number | undefined;
  if (options.viaYaml) {
    const text = objects.map((o) => stringify(o.manifest)).join('---\n');
    const t0 = performance.now();
    const parsed = parseManifests(text, 'synthetic.yaml');
    parseMs = performance.now() - t0;
    if (parsed.errors.length > 0) throw new Error(`synthetic YAML does not parse: ${parsed.errors[0].message}`);
    objects = parsed.objects;
  }
  const t1 = performance.now();
  const sim = Simulator.from(objects);
  const buildMs = performance.now() - t1;
  const requests = syntheticRequests(namespaces, options.requests ?? 1000);
  const statuses: Record<string, number> = {};
  const t2 = performance.now();
  for (const r of requests) {
    const s = String(sim.simulate(r).status);
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
  const simulateMs = performance.now() - t2;
  return { objects: objects.length, ...(parseMs !== undefined ? { parseMs } : {}), buildMs, requests: requests.length, simulateMs, perRequestMs: simulateMs / requests.length, statuses };
}
