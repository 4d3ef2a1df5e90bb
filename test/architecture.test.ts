// The import floors of src/ (ARCHITECTURE.md, STYLE.md §4): folders import each other one way, and the model and
// the rules never reach cdk8s or a construct folder, so `analyze` runs on plain YAML.
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');
const CONSTRUCT_FOLDERS = ['ambient', 'core', 'gateway', 'gitops', 'private', 'samples', 'wasm'];

interface Edge { readonly from: string; readonly to: string; readonly file: string }

/** Every relative import (type-only ones included) between two folders of src/, and every package import. */
function imports(): { folders: Edge[]; packages: Array<{ folder: string; pkg: string; file: string }> } {
  const folders: Edge[] = [];
  const packages: Array<{ folder: string; pkg: string; file: string }> = [];
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'imports' ? [] : walk(p);
    return p.endsWith('.ts') ? [p] : [];
  });
  const folderOf = (file: string) => path.relative(SRC, file).split(path.sep).slice(0, -1)[0] ?? '.';
  for (const file of walk(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/gm)) {
      const spec = m[1];
      const rel = path.relative(SRC, file);
      if (!spec.startsWith('.')) {
        packages.push({ folder: folderOf(file), pkg: spec, file: rel });
        continue;
      }
      const target = path.resolve(path.dirname(file), spec);
      const to = path.relative(SRC, target).split(path.sep);
      // `../model` names the folder itself (its index.ts)
      const toFolder = to.length > 1 || fs.existsSync(target) ? to[0] : '.';
      if (toFolder !== folderOf(file)) folders.push({ from: folderOf(file), to: toFolder, file: rel });
    }
  }
  return { folders, packages };
}

describe('import floors', () => {
  const { folders, packages } = imports();

  test('no two folders import each other, directly or through others', () => {
    const next = new Map<string, Set<string>>();
    for (const e of folders) {
      if (!next.has(e.from)) next.set(e.from, new Set());
      next.get(e.from)!.add(e.to);
    }
    const reaches = (a: string, b: string, seen = new Set<string>()): boolean => {
      for (const n of next.get(a) ?? []) {
        if (n === b) return true;
        if (!seen.has(n)) { seen.add(n); if (reaches(n, b, seen)) return true; }
      }
      return false;
    };
    const cycles = [...new Set(folders.filter((e) => e.from !== '.' && reaches(e.to, e.from)).map((e) => `${e.file} -> ${e.to}`))];
    expect(cycles).toEqual([]);
    expect(folders.length).toBeGreaterThan(50); // the walk found the imports
  });

  test('model and rules import neither cdk8s nor a construct folder', () => {
    const pure = ['model', 'rules'];
    expect(packages.filter((p) => pure.includes(p.folder) && /^(cdk8s|constructs)(\/|$)/.test(p.pkg)).map((p) => `${p.file}: ${p.pkg}`)).toEqual([]);
    expect(folders.filter((e) => pure.includes(e.from) && CONSTRUCT_FOLDERS.includes(e.to)).map((e) => `${e.file} -> ${e.to}`)).toEqual([]);
  });
});
