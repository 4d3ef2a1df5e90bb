// The committed dist/ is a tree Argo CD consumes unchanged (issue: GitOps output).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadManifests } from '../../src/loader/load';
import { MeshModel, resolveTargets } from '../../src/model';
import { checkSyncWaves, syncWaveOf } from '../../src/rules';
import { hasKubectl } from '../support';

const DIST = path.join(__dirname, '..', '..', 'dist');
const folders = fs.readdirSync(DIST, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const { objects, errors } = loadManifests([DIST]);
const model = MeshModel.build(objects);
const appObjects = model.entries.filter((e) => e.kind !== 'Kustomization' && e.group !== 'argoproj.io');
const wave = (e: { manifest: any }) => syncWaveOf(e as any);
const options = (e: { manifest: any }): string[] => String(e.manifest.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',');

describe('dist/', () => {
  test('loads without errors: one application folder and the Argo CD folder', () => {
    expect(errors).toEqual([]);
    expect(folders).toEqual(['argocd', 'default']);
  });

  test.each(folders)('%s: kustomization.yaml lists every object file, and nothing else', (folder) => {
    const files = fs.readdirSync(path.join(DIST, folder)).filter((f) => f.endsWith('.k8s.yaml')).sort();
    const k = YAML.parse(fs.readFileSync(path.join(DIST, folder, 'kustomization.yaml'), 'utf8'));
    expect(k.resources).toEqual(files);
  });

  // needs kubectl on the PATH: it says so in its name when it cannot run
  (hasKubectl() ? test.each(folders) : test.skip.each(folders))(hasKubectl() ? '%s: kubectl kustomize renders every object'
    : '%s: kubectl kustomize renders every object: SKIPPED, kubectl is not on the PATH', (folder) => {
    const out = execFileSync('kubectl', ['kustomize', path.join(DIST, folder)], { encoding: 'utf8' });
    const rendered = YAML.parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
    const expected = fs.readdirSync(path.join(DIST, folder)).filter((f) => f.endsWith('.k8s.yaml')).length;
    expect(rendered).toHaveLength(expected);
  });

  test('the ApplicationSet generates exactly the application folders, from paths that exist', () => {
    const sets = model.entries.filter((e) => e.kind === 'ApplicationSet');
    expect(sets).toHaveLength(1);
    const dirs: Array<{ path: string; exclude?: boolean }> = sets[0].manifest.spec.generators[0].git.directories;
    const matched = (folder: string) => dirs.some((d) => !d.exclude && new RegExp(`^${d.path.replace('*', '[^/]+')}$`).test(`dist/${folder}`))
      && !dirs.some((d) => d.exclude && d.path === `dist/${folder}`);
    expect(folders.filter(matched)).toEqual(['default']);
    for (const d of dirs) expect(fs.existsSync(path.join(DIST, '..', d.path.replace('/*', '')))).toBe(true);
    // Applications, when the app is synthesized in that mode, point at folders that exist too
    for (const a of model.entries.filter((e) => e.kind === 'Application')) {
      expect(fs.existsSync(path.join(DIST, '..', a.manifest.spec.source.path, 'kustomization.yaml'))).toBe(true);
    }
  });

  test('every WasmPlugin syncs after each Gateway or waypoint it attaches to, also through a Service', () => {
    const plugins = appObjects.filter((e) => e.kind === 'WasmPlugin');
    expect(plugins).toHaveLength(3);
    let pairs = 0;
    for (const p of plugins) {
      for (const place of resolveTargets(model, p).flatMap((r) => r.places)) {
        expect(wave(p)!).toBeGreaterThan(wave(place.proxy)!);
        pairs++;
      }
    }
    expect(pairs).toBe(3); // gateway, waypoint, and the waypoint serving reviews
  });

  test('every HTTPRoute syncs after its Gateway, every object after its Namespace', () => {
    for (const r of appObjects.filter((e) => e.kind === 'HTTPRoute')) {
      const gw = model.gateways.get(`${r.namespace}/${r.manifest.spec.parentRefs[0].name}`)!;
      expect(wave(r)!).toBeGreaterThan(wave(gw)!);
    }
    const ns = model.namespaces.get('default')!;
    for (const e of appObjects.filter((x) => x.kind !== 'Namespace')) expect(wave(e)!).toBeGreaterThan(wave(ns)!);
    expect(checkSyncWaves(model)).toEqual([]);
  });

  test('CRD kinds skip the dry run when their CRD is missing; Namespaces are never pruned', () => {
    const crdKinds = appObjects.filter((e) => e.group !== 'core' && e.group !== 'apps');
    expect(crdKinds.map((e) => e.kind).sort()).toEqual(['Gateway', 'Gateway', 'HTTPRoute', 'WasmPlugin', 'WasmPlugin', 'WasmPlugin']);
    for (const e of crdKinds) expect(options(e)).toContain('SkipDryRunOnMissingResource=true');
    for (const e of appObjects.filter((x) => x.kind === 'Namespace')) expect(options(e)).toContain('Prune=false');
  });
});
