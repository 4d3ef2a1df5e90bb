// Field-for-field equality with Istio 1.30.3's own samples, shipped as test fixtures (test/fixtures/istio-1.30.3,
// Apache-2.0, see its README), so it runs in any clone.
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { SeedScenario } from '../../src';
import { find } from '../helpers';
import { loadManifests } from '../../src/loader/load';

const REF = path.join(__dirname, '..', 'fixtures', 'istio-1.30.3');
const SAMPLES = ['bookinfo.yaml', 'bookinfo-gateway.yaml', 'curl.yaml', 'sleep.yaml'];
const SHARED = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'istio-1.30.3');
const HAS_SHARED = fs.existsSync(SHARED);

function load(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(REF, file), 'utf8')).map((d) => d.toJS()).filter((d) => d);
}

describe('the shipped copies of the samples', () => {
  test.each(SAMPLES)('%s is listed with its source path in the fixtures README, beside the Apache-2.0 LICENSE', (file) => {
    expect(fs.readFileSync(path.join(REF, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(fs.readFileSync(path.join(REF, 'README.md'), 'utf8')).toMatch(new RegExp(`\\| \`${file.replace('.', '\\.')}\` \\| \`samples/[a-z/-]+/${file.replace('.', '\\.')}\` \\|`));
  });

  // the one check that needs ../shared: it says so in its name when it cannot run
  (HAS_SHARED ? test.each(SAMPLES) : test.skip.each(SAMPLES))(
    HAS_SHARED ? '%s is byte-identical to ../shared/reference/istio-1.30.3'
      : '%s against ../shared/reference/istio-1.30.3: SKIPPED, that folder is not beside the repository (the fixtures still run)',
    (file) => {
      expect(fs.readFileSync(path.join(REF, file), 'utf8')).toBe(fs.readFileSync(path.join(SHARED, file), 'utf8'));
    });
});

/** The object without the annotations GitOpsApp adds for Argo CD (adding annotations keeps an object equal). */
function withoutArgoCd(m: any): any {
  const copy = JSON.parse(JSON.stringify(m));
  const a = copy.metadata.annotations ?? {};
  for (const k of Object.keys(a)) if (k.startsWith('argocd.argoproj.io/')) delete a[k];
  if (copy.metadata.annotations && Object.keys(a).length === 0) delete copy.metadata.annotations;
  return copy;
}

function withoutNamespace(m: any): any {
  const copy = JSON.parse(JSON.stringify(m));
  delete copy.metadata.namespace;
  return copy;
}

describe('Istio 1.30.3 samples, field for field', () => {
  const seed = Testing.synth(new SeedScenario(Testing.app(), 'default'));
  const legacy = Testing.synth(new SeedScenario(Testing.app(), 'legacy', { namespace: 'legacy', legacy: true }));

  test.each(['bookinfo.yaml', 'curl.yaml', 'bookinfo-gateway.yaml'])('%s: every object is reproduced exactly', (file) => {
    const refs = load(file);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const ours = find(seed, ref.kind, ref.metadata.name);
      expect(ours.metadata.namespace).toBe('default');
      expect(withoutNamespace(ours)).toEqual(ref);
    }
  });

  test.each(['bookinfo.yaml', 'curl.yaml', 'bookinfo-gateway.yaml'])('%s: the committed dist/ holds every object, field for field (Argo CD annotations aside)', (file) => {
    const dist = loadManifests([path.join(__dirname, '..', '..', 'dist', 'default')]).objects.map((o) => o.manifest);
    for (const ref of load(file)) {
      const ours = withoutNamespace(withoutArgoCd(find(dist, ref.kind, ref.metadata.name)));
      expect(ours).toEqual(ref);
    }
  });

  test('sleep.yaml is reproduced by the legacy scenario', () => {
    for (const ref of load('sleep.yaml')) {
      expect(withoutNamespace(find(legacy, ref.kind, ref.metadata.name))).toEqual(ref);
    }
  });

  test('the seed app holds nothing beyond the samples, the namespace, the waypoint and the plugins', () => {
    const expected = ['bookinfo.yaml', 'curl.yaml', 'bookinfo-gateway.yaml'].flatMap(load).length + 1 + 1 + 3;
    expect(seed).toHaveLength(expected);
  });
});
