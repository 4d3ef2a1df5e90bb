#!/usr/bin/env node
// Regenerates src/imports/ from the pinned CRDs in ../shared/crds with `cdk8s import`.
// Only the CRDs the library renders are imported, so the generated files stay small.
// Run by maintainers when a pin changes; a fresh clone builds from the committed src/imports/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';

const crdDir = process.argv[2] ?? '../shared/crds';
const wanted = {
  'istio-1.30.3-crd-all.gen.yaml': ['trafficextensions.extensions.istio.io', 'wasmplugins.extensions.istio.io'],
  'gateway-api-v1.5.1-standard.yaml': ['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io',
    'grpcroutes.gateway.networking.k8s.io', 'referencegrants.gateway.networking.k8s.io'],
};
const work = mkdtempSync(join(tmpdir(), 'crds-'));
// `cdk8s import` records its sources in cdk8s.yaml; they are temp files, so keep the file as it was
const config = readFileSync('cdk8s.yaml', 'utf8');
for (const [file, names] of Object.entries(wanted)) {
  const docs = YAML.parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))
    .map((d) => d.toJS())
    .filter((d) => d && d.kind === 'CustomResourceDefinition' && names.includes(d.metadata.name));
  if (docs.length !== names.length) throw new Error(`${file}: expected ${names.join(', ')}`);
  const out = join(work, file);
  writeFileSync(out, docs.map((d) => YAML.stringify(d)).join('---\n'));
  // cdk8s import takes one source per call
  execFileSync('npx', ['cdk8s', 'import', out, '--output', 'src/imports'], { stdio: 'inherit' });
}
writeFileSync('cdk8s.yaml', config);
