// diff OLD NEW: generated requests, both trees simulated, openings flagged and failing unless allowed; the
// namespace shortcut gives what the full diff gives.
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { DiffInputError, diffExitCode, diffObjects, parseAllowFile, probeTargets, targetProbes } from '../../src/diff';
import { MeshModel } from '../../src/model/mesh-model';
import { SourcedManifest } from '../../src/model/manifest';
import { renderDiffMarkdown, renderDiffText } from '../../src/report';
import { distObjects } from '../simulate/helpers';
import { cli, tmpDir } from '../support';

const GW = 'gateway.networking.k8s.io';
const BASIC_AUTH = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0';
const SECRETS = [/YWRtaW4zOmFkbWluMw==/, /MXQtaW4zOmFkbWluMw==/, /b2s6dGVzdA==/, /ok:test/, /admin3:admin3/];

const without = (objects: SourcedManifest[], kind: string, name: string) => objects.filter((o) => !(o.manifest.kind === kind && o.manifest.metadata?.name === name));

describe('diff on the seed', () => {
  test('the same tree changes nothing', () => {
    const r = diffObjects(distObjects(), distObjects());
    expect(r.changes).toEqual([]);
    expect(diffExitCode(r)).toBe(0);
  });

  test('dropping the reviews plugin opens /reviews for requests without a listed credential', () => {
    const r = diffObjects(distObjects(), without(distObjects(), 'WasmPlugin', 'basic-auth-for-service'));
    expect(r.changes.map((c) => `${c.change} ${c.before.status}->${c.after.status} ${c.method} ${c.url} ${c.from} ${c.credentials}`)).toEqual([
      'opened 401->200 GET http://reviews.default:9080/reviews default/curl none',
      'opened 401->200 GET http://reviews.default:9080/reviews default/curl invalid',
      'opened 401->200 POST http://reviews.default:9080/reviews default/curl none',
      'opened 401->200 POST http://reviews.default:9080/reviews default/curl invalid',
    ]);
    expect(r.changes[0].before.reason).toMatch(/^denied by WasmPlugin default\/basic-auth-for-service at waypoint default\/waypoint: rule 0 \(prefix "\/reviews"\)/);
    expect(r.changes[0].after.reason).toBe('reached one of the 3 workloads of Service default/reviews');
    expect(diffExitCode(r)).toBe(1);
  });

  test('adding a rule closes what it guards, and a credential it lists is probed by user, never shown', () => {
    const after = distObjects();
    const p = after.find((o) => o.manifest.metadata?.name === 'basic-auth-at-gateway')!.manifest as any;
    p.spec.pluginConfig.basic_auth_rules.push({ prefix: '/static', request_methods: ['GET'], credentials: ['ops:s3cret'] });
    const r = diffObjects(distObjects(), after);
    expect(r.summary.opened).toBe(0);
    const closed = r.changes.filter((c) => c.change === 'closed');
    expect(closed.map((c) => `${c.method} ${c.url} ${c.credentials}`)).toEqual([
      'GET http://bookinfo-gateway-istio.default.svc.cluster.local/static none',
      'GET http://bookinfo-gateway-istio.default.svc.cluster.local/static invalid',
    ]);
    const text = renderDiffText(r) + renderDiffMarkdown(r) + JSON.stringify(r);
    for (const s of [...SECRETS, /s3cret/, /b3BzOnMzY3JldA==/]) expect(text).not.toMatch(s);
  });

  test('probes: each guarded path with each method its rules list, no/wrong/listed credentials', () => {
    const targets = probeTargets(MeshModel.build(distObjects()));
    const reviews = targets.find((t) => t.id === 'Service default/reviews')!;
    const probes = targetProbes(reviews, 'default/curl', 'default');
    const lines = probes.map((p) => `${p.request.method} ${p.path} ${p.credentials}${p.credentialUser ? ` ${p.credentialUser}` : ''}`);
    expect(lines).toEqual(expect.arrayContaining(['GET / none', 'GET /productpage none', 'POST /productpage invalid', 'GET /reviews valid ok:***', 'POST /reviews valid 1t-in3:***']));
    expect(lines.filter((l) => l.startsWith('GET / '))).toEqual(['GET / none']);
    for (const p of probes) expect(p.credentialUser ?? '').not.toMatch(/test|admin3$/);
    const gw = targets.find((t) => t.id === 'Gateway default/bookinfo-gateway')!;
    expect(gw.urls).toEqual([{ url: 'http://bookinfo-gateway-istio.default.svc.cluster.local' }]);
    expect(gw.paths).toEqual(expect.arrayContaining(['/productpage', '/static', '/login', '/logout', '/api/v1/products']));
  });
});

describe('diff CLI', () => {
  test('the example: moving the plugin to one Service opens the other one; exit 1', async () => {
    const r = await cli('diff', 'examples/diff/before', 'examples/diff/after');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('opened           401 -> 200  GET http://api.shop:8080/admin from shop/curl, no credentials');
    expect(r.out.trimEnd().split('\n').pop()).toBe('4 of 14 requests changed: 4 opened, 0 closed');
    expect((await cli('diff', 'examples/diff/after', 'examples/diff/before')).out).toMatch(/^closed /);
  });

  test('an allow file with a reason lets the opening pass, and names entries that matched nothing', async () => {
    const dir = tmpDir('diff-allow-');
    const allow = path.join(dir, 'allow.yaml');
    fs.writeFileSync(allow, '- target: Service shop/api\n  path: /admin*\n  reason: api authenticates /admin itself from release 2\n- target: shop/web\n  reason: stale\n');
    const r = await cli('diff', 'examples/diff/before', 'examples/diff/after', '--allow', allow);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^opened \(allowed\) +401 -> 200 {2}GET/);
    expect(r.out).toContain('                 allowed: api authenticates /admin itself from release 2');
    expect(r.out).toContain(`note: allow entry ${allow}:4 matched no opened request; remove it if it is stale`);
    expect((await cli('diff', 'examples/diff/before', 'examples/diff/after', '--allow-opened')).code).toBe(0);
  });

  test('fails with exit 2 and one line on bad input', async () => {
    const dir = tmpDir('diff-bad-');
    const allow = path.join(dir, 'allow.yaml');
    fs.writeFileSync(allow, '- target: shop/api\n');
    const noReason = await cli('diff', 'examples/diff/before', 'examples/diff/after', '--allow', allow);
    expect(noReason.code).toBe(2);
    expect(noReason.err).toBe(`error: --allow: ${allow}:1: allow[0].reason: is required (got undefined); say why this opening is intended\n`);
    const missing = await cli('diff', 'examples/diff/before', path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error: NEW: .*nope: no such file or directory; /);
    expect(() => parseAllowFile('- {reason: x, credentials: some}\n', 'a.yaml')).toThrow(DiffInputError);
  });

  test('--format json and markdown carry the same changes', async () => {
    const json = JSON.parse((await cli('diff', 'examples/diff/before', 'examples/diff/after', '--format', 'json')).out);
    expect(json.summary).toMatchObject({ opened: 4, closed: 0, exitCode: 1, text: '4 of 14 requests changed: 4 opened, 0 closed' });
    expect(json.changes[0]).toMatchObject({ change: 'opened', target: 'Service shop/api', from: 'shop/curl', method: 'GET', credentials: 'none', before: { status: 401 }, after: { status: 200 } });
    const md = (await cli('diff', 'examples/diff/before', 'examples/diff/after', '--format', 'markdown')).out;
    expect(md.split('\n').slice(0, 2)).toEqual(['<!-- cdk8s-istio-ambient diff -->', '### Mesh policy diff: :warning: 4 requests opened']);
    expect(md.split('\n').filter((l) => l.startsWith('| **opened** | 401 → 200 | `GET http://api.shop:8080/admin` |'))).toHaveLength(2);
    for (const s of [/ops:changeme/, /b3BzOmNoYW5nZW1l/]) expect(md + JSON.stringify(json)).not.toMatch(s);
  });
});

// a small mesh of three namespaces, each ambient with a waypoint, two Services, a client and a plugin
function mesh(): SourcedManifest[] {
  const out: any[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }];
  for (const ns of ['a', 'b', 'c']) {
    out.push(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } },
      { apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name: 'waypoint', namespace: ns }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'All' } } }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'client', namespace: ns }, spec: { template: { metadata: { labels: { app: 'client' } } } } },
    );
    for (const app of ['web', 'api']) {
      out.push(
        { apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { selector: { app }, ports: [{ name: 'http', port: 80 }] } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns }, spec: { template: { metadata: { labels: { app } } } } },
      );
    }
    out.push({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'auth', namespace: ns },
      spec: { url: BASIC_AUTH, phase: 'AUTHN', targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint' }],
        pluginConfig: { basic_auth_rules: [{ prefix: '/admin', request_methods: ['GET'], credentials: ['ok:test'] }] } } });
  }
  return out.map((manifest, i) => ({ manifest, origin: `mesh.yaml:${i + 1}` }));
}

const MUTATIONS: Array<(m: any[], ns: string) => void> = [
  (m, ns) => { m.splice(m.findIndex((o) => o.kind === 'WasmPlugin' && o.metadata.namespace === ns), 1); },
  (m, ns) => { m.find((o) => o.kind === 'WasmPlugin' && o.metadata.namespace === ns).spec.pluginConfig.basic_auth_rules[0].prefix = '/private'; },
  (m, ns) => { m.find((o) => o.kind === 'WasmPlugin' && o.metadata.namespace === ns).spec.targetRefs = [{ group: '', kind: 'Service', name: 'web' }]; },
  (m, ns) => { m.find((o) => o.kind === 'Service' && o.metadata.namespace === ns && o.metadata.name === 'api').metadata.labels = { 'istio.io/use-waypoint': 'none' }; },
  // a Service in one namespace moves to another namespace's waypoint: namespaces tied by a label
  (m, ns) => { m.find((o) => o.kind === 'Service' && o.metadata.namespace === ns && o.metadata.name === 'web').metadata.labels = { 'istio.io/use-waypoint-namespace': ns === 'a' ? 'b' : 'a' }; },
  (m, ns) => { m.find((o) => o.kind === 'Namespace' && o.metadata.name === ns).metadata.labels['istio.io/dataplane-mode'] = 'none'; },
  (m) => { m.push({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'mesh-auth', namespace: 'istio-system' },
    spec: { url: BASIC_AUTH, phase: 'AUTHN', targetRefs: [{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }],
      pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'] }] } } }); },
];

describe('the namespace shortcut', () => {
  test('simulating only the namespaces a change reaches finds what the full diff finds (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: MUTATIONS.length - 1 }), fc.constantFrom('a', 'b', 'c')), { minLength: 1, maxLength: 3 }), (muts) => {
      const after = mesh().map((o) => ({ ...o, manifest: JSON.parse(JSON.stringify(o.manifest)) }));
      const list = after.map((o) => o.manifest);
      for (const [i, ns] of muts) {
        try { MUTATIONS[i](list, ns); } catch { /* the object was already removed */ }
      }
      const objects = list.map((manifest, i) => ({ manifest, origin: `mesh.yaml:${i + 1}` }));
      const quick = diffObjects(mesh(), objects);
      const full = diffObjects(mesh(), objects, { full: true });
      expect(quick.changes).toEqual(full.changes);
      expect(quick.summary.namespacesSimulated).toBeLessThanOrEqual(full.summary.namespacesSimulated);
    }), { numRuns: 40 });
  });

  test('skips namespaces nothing reaches, and says so', () => {
    const after = mesh().map((o) => ({ ...o, manifest: JSON.parse(JSON.stringify(o.manifest)) }));
    MUTATIONS[0](after.map((o) => o.manifest), 'c');
    const r = diffObjects(mesh(), after.filter((o) => o.manifest.kind !== 'WasmPlugin' || o.manifest.metadata?.namespace !== 'c'));
    expect(r.summary.namespaces).toBe(4);
    expect(r.summary.namespacesSimulated).toBeLessThan(4);
    expect(r.changes.every((c) => c.target.startsWith('Service c/'))).toBe(true);
    expect(renderDiffText(r)).toMatch(/; \d of 4 namespaces simulated \(nothing the others depend on changed\)\n$/);
  });
});
