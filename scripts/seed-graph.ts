// `npm run docs:graph`: draws the seed's dist/ with `graph --format dot` and renders it to docs/seed-graph.svg
// with Graphviz compiled to WebAssembly (@viz-js/viz), the picture the README shows. test/graph checks both.
import * as fs from 'fs';
import * as path from 'path';
import { meshGraph, renderDot } from '../src/graph';
import { loadManifests } from '../src/loader/load';
import { MeshModel } from '../src/model/mesh-model';

const ROOT = path.join(__dirname, '..');
export const SEED_DOT = path.join(ROOT, 'docs', 'seed-graph.dot');
export const SEED_SVG = path.join(ROOT, 'docs', 'seed-graph.svg');

/** The seed's graph as DOT, exactly as `graph dist --format dot` prints it. */
export function seedDot(): string {
  const loaded = loadManifests([path.join(ROOT, 'dist')]);
  if (loaded.errors.length > 0) throw new Error(`dist/ does not load: ${loaded.errors[0].message}`);
  return renderDot(meshGraph(MeshModel.build(loaded.objects)));
}

/** DOT rendered to SVG by Graphviz (WebAssembly build, so no system install is needed). */
export async function renderSvg(dot: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const viz = await require('@viz-js/viz').instance();
  return viz.renderString(dot, { format: 'svg' });
}

async function main(): Promise<void> {
  const dot = seedDot();
  fs.writeFileSync(SEED_DOT, dot);
  fs.writeFileSync(SEED_SVG, await renderSvg(dot));
  process.stdout.write(`wrote ${path.relative(ROOT, SEED_DOT)} and ${path.relative(ROOT, SEED_SVG)}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`docs:graph: ${String(e?.message ?? e).split('\n')[0]}\n`);
    process.exit(1);
  });
}
