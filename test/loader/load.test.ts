import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listManifestFiles, loadManifests, parseExact, parseManifests } from '../../src/loader/load';

const MULTI = `# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# a comment before the second document
---   # a marker with a comment, then an empty document

---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: cart, namespace: shop}
  - apiVersion: v1
    kind: Service
    metadata: {name: orders, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: text
data:
  script: |
    line one
    --- not a marker: indented
  on: yes
`;

describe('loader', () => {
  test('the fast path reads exactly what the exact parser reads, origins included', () => {
    const fast = parseManifests(MULTI, 'm.yaml');
    const exact = parseExact(MULTI, 'm.yaml');
    expect(fast).toEqual(exact);
    expect(fast.objects.map((o) => o.origin)).toEqual(['m.yaml:2', 'm.yaml:11#items[0]', 'm.yaml:11#items[1]', 'm.yaml:21']);
    // YAML 1.2 core schema: "yes" stays a string
    expect(fast.objects[3].manifest.data.on).toBe('yes');
  });

  test('the project dist reads the same through both parsers', () => {
    const dist = path.join(__dirname, '..', '..', 'dist');
    for (const file of listManifestFiles([dist]).files) {
      const text = fs.readFileSync(file, 'utf8');
      expect(parseManifests(text, file)).toEqual(parseExact(text, file));
    }
  });

  test('anchors and aliases go through the exact parser, which limits their expansion', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\ndata: {x: *m}\n';
    expect(parseManifests(text, 'a.yaml').objects[0].manifest.data.x).toEqual({ name: 'a' });
  });

  test('fails with file and line on malformed YAML, and keeps the documents that parse', () => {
    const r = parseManifests('apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\nkind: [\n', 'bad.yaml');
    expect(r.objects).toHaveLength(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'bad.yaml', line: 6 });
    expect(r.errors[0].message).not.toMatch(/\n/);
  });

  test('directories are read recursively in a stable order, skipping dot-folders and node_modules', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-'));
    for (const f of ['b/app.yaml', 'a/x.yml', '.git/config.yaml', 'node_modules/p/m.yaml', 'a/readme.md', 'c.json']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), f.endsWith('.json') ? '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"j"}}' : 'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n');
    }
    const r = loadManifests([dir]);
    expect(r.files.map((f) => path.relative(dir, f))).toEqual(['a/x.yml', 'b/app.yaml', 'c.json']);
    expect(r.errors).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
