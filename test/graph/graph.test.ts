// graph: what the model resolves, drawn; Mermaid and DOT of the same graph; the README's picture is current.
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { dotText, meshGraph, mermaidText, renderDot, renderMermaid } from '../../src/graph';
import { MeshModel } from '../../src/model/mesh-model';
import { SEED_DOT, SEED_SVG, renderSvg, seedDot } from '../../scripts/seed-graph';
import { base, plugin, sourced } from '../rules/fixtures';
import { distObjects } from '../simulate/helpers';
import { ROOT, cli } from '../support';

const GW = 'gateway.networking.k8s.io';

function edges(objects: any[], namespace?: string): string[] {
  const g = meshGraph(MeshModel.build(objects), { namespace });
  const name = new Map(g.nodes.map((n) => [n.id, `${n.kind}:${n.namespace}/${n.name}`]));
  return g.edges.map((e) => `${name.get(e.from)} -${e.kind}${e.label ? ` ${e.label}` : ''}-> ${name.get(e.to)}`);
}

describe('meshGraph', () => {
  test('the seed: each plugin to the proxy it guards, the waypoint to the Services it serves, the route to its backend', () => {
    expect(edges(distObjects())).toEqual([
      'ingress:default/bookinfo-gateway -routes (HTTPRoute bookinfo)-> service:default/productpage',
      'waypoint:default/waypoint -serves-> service:default/curl',
      'waypoint:default/waypoint -serves-> service:default/details',
      'waypoint:default/waypoint -serves-> service:default/productpage',
      'waypoint:default/waypoint -serves-> service:default/ratings',
      'waypoint:default/waypoint -serves-> service:default/reviews',
      'plugin:default/basic-auth-at-gateway -guards-> ingress:default/bookinfo-gateway',
      'plugin:default/basic-auth-at-waypoint -guards-> waypoint:default/waypoint',
      'plugin:default/basic-auth-for-service -guards-service (its chain at waypoint waypoint)-> service:default/reviews',
    ]);
  });

  test('a target that leads nowhere is drawn as such, with the model\'s reason', () => {
    const objects = sourced([...base(),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'orders', namespace: 'shop', labels: { 'istio.io/use-waypoint': 'none' } }, spec: { ports: [{ port: 80 }] } },
      plugin({ targetRefs: [{ group: '', kind: 'Service', name: 'orders' }] }, 'orders-auth'),
      plugin({ targetRefs: [{ group: GW, kind: 'Gateway', name: 'edge-istio' }] }, 'edge-auth'),
    ]);
    const e = edges(objects);
    expect(e).toContain('plugin:shop/orders-auth -dead no waypoint serves it: never runs-> service:shop/orders');
    expect(e).toContain('plugin:shop/edge-auth -dead no such Gateway: never runs-> missing:shop/Gateway/edge-istio');
    expect(e).not.toContain('waypoint:shop/waypoint -serves-> service:shop/orders');
  });

  test('a GatewayClass plugin in the root namespace guards every waypoint; --namespace keeps what touches it', () => {
    const objects = sourced([...base(),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } },
      { apiVersion: `${GW}/v1`, kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'other' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } },
      plugin({ targetRefs: [{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }] }, 'mesh-auth', 'istio-system'),
    ]);
    const all = edges(objects);
    expect(all).toContain('plugin:istio-system/mesh-auth -guards-> waypoint:shop/waypoint');
    expect(all).toContain('plugin:istio-system/mesh-auth -guards-> waypoint:other/waypoint');
    const shop = edges(objects, 'shop');
    expect(shop).toContain('plugin:istio-system/mesh-auth -guards-> waypoint:shop/waypoint');
    expect(shop.some((x) => x.includes('other/'))).toBe(false);
    const g = meshGraph(MeshModel.build(objects), { namespace: 'shop' });
    expect(g.namespaces).toEqual(['istio-system', 'shop']);
  });

  test('is deterministic whatever the input order', () => {
    const objects = distObjects();
    expect(renderDot(meshGraph(MeshModel.build([...objects].reverse())))).toBe(renderDot(meshGraph(MeshModel.build(objects))));
  });
});

describe('renderers', () => {
  test('Mermaid and DOT draw the same nodes and edges', () => {
    const g = meshGraph(MeshModel.build(distObjects()));
    const mermaid = renderMermaid(g);
    const dot = renderDot(g);
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    for (const n of g.nodes) {
      expect(mermaid).toContain(`    ${n.id}`);
      expect(dot).toContain(`    "${n.id}" [`);
    }
    expect(mermaid.match(/ (-->|---|-\.->)/g)!.length).toBe(g.edges.length);
    expect(dot.match(/" -> "/g)!.length).toBe(g.edges.length);
  });

  test('labels are escaped: any text stays inside its quotes (property)', async () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(mermaidText(s)).not.toMatch(/["|<>&\n\r]/);
      expect(mermaidText(s).replace(/#\d+;/g, '')).not.toContain('#');
      expect(dotText(s)).not.toMatch(/(^|[^\\])(\\\\)*"/);
    }));
    // Graphviz itself parses DOT made of hostile labels
    const labels = fc.sample(fc.string({ maxLength: 20 }), 25);
    const dot = `digraph g {\n${labels.map((l, i) => `  "n${i}" [label="${dotText(l)}"];`).join('\n')}\n}\n`;
    await expect(renderSvg(dot)).resolves.toMatch(/<svg/);
  });
});

describe('the README picture', () => {
  test('docs/seed-graph.dot is what `graph dist --format dot` prints', async () => {
    const r = await cli('graph', 'dist', '--format', 'dot');
    expect(r.code).toBe(0);
    const out = r.output;
    // regenerate with `npm run docs:graph` when this fails
    expect(fs.readFileSync(SEED_DOT, 'utf8')).toBe(out);
    expect(seedDot()).toBe(out);
  });

  test('docs/seed-graph.svg is what Graphviz (WebAssembly, a dev dependency) renders of it', async () => {
    expect(fs.readFileSync(SEED_SVG, 'utf8')).toBe(await renderSvg(fs.readFileSync(SEED_DOT, 'utf8')));
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('](docs/seed-graph.svg)');
  });
});

describe('docs/graph.md', () => {
  test('its Mermaid block is what `graph dist` prints', async () => {
    const out = (await cli('graph', 'dist')).output;
    const page = fs.readFileSync(path.join(ROOT, 'docs', 'graph.md'), 'utf8');
    expect(/```mermaid\n([\s\S]*?)```/.exec(page)![1]).toBe(out);
  });
});

describe('graph CLI', () => {
  test('prints Mermaid by default, for one namespace on request', async () => {
    const r = await cli('graph', 'dist', '--namespace', 'default');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^flowchart LR\n {2}subgraph ns0\["namespace default"\]\n/);
  });

  test('fails with exit 2 and one line on unknown namespaces and unreadable input', async () => {
    const none = await cli('graph', 'dist', '--namespace', 'nope');
    expect(none.code).toBe(2);
    expect(none.err).toBe('error: --namespace: nothing in namespace "nope" to draw (namespaces: default)\n');
    const missing = await cli('graph', 'no-such-dir');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error: no-such-dir: no such file or directory; /);
  });
});
