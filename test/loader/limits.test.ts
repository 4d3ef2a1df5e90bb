// The loader's limits (docs/limits.md): what it accepts, what it caps, and how it says so. Inputs that could
// hang the process run in hostile.test.ts, in a child; everything here is bounded by the loader itself, or
// by the test's own bounded walk.
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { analyzePaths, renderJson, renderText, exitCodeOf, FailOn } from '../../src/analyze';
import { parseByteSize } from '../../src/cli/options';
import {
  DEFAULT_MAX_FILE_BYTES, MAX_ALIAS_NODES, listManifestFiles, loadManifests, parseExact, parseManifests, parseYamlDocument, readManifestFile,
} from '../../src/loader/load';
import { cli as capture, tmpDir } from '../support';

const tmp = () => tmpDir('limits-');
const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';

function write(dir: string, rel: string, content: string | Buffer): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** Nodes of a value with every shared node counted again, up to `max` (so the count itself is bounded). */
function expanded(value: unknown, max: number): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && n <= max) {
    const v = stack.pop();
    n++;
    if (v !== null && typeof v === 'object') for (const c of Object.values(v as object)) stack.push(c);
  }
  return n;
}

/** A CLI run with stdout and stderr together, as `out`. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await capture(...args);
  return { code: r.code, out: r.output };
}

// the ways YAML lets an anchor sit on a node: each must be bounded before any expansion
const ANCHOR_FORMS: Array<(name: string, body: string) => string> = [
  (a, b) => `&${a} ${b}`, // after ": "
  (a, b) => `!!seq &${a} ${b}`, // after a tag
  (a, b) => `&${a} !!seq ${b}`, // before a tag
  (a, b) => `&${a}\n    ${b}`, // the node on the next line
];
const KEY_FORMS: Array<(k: string) => string> = [(k) => `"${k}":`, (k) => `'${k}':`, (k) => `${k}:`, (k) => `? ${k}\n  :`];

describe('loader limits', () => {
  test('aliases: a nested bomb in any anchor form, key form and shape is a LOAD error or stays small', () => {
    fc.assert(fc.property(
      fc.nat({ max: ANCHOR_FORMS.length - 1 }), fc.nat({ max: KEY_FORMS.length - 1 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 10 }),
      fc.boolean(), fc.constantFrom('flow', 'block'),
      (form, keyForm, depth, width, spaceAfterColon, shape) => {
        const lines: string[] = [];
        for (let i = 0; i < depth; i++) {
          const items = i === 0 ? Array(width).fill('"lol"') : Array(width).fill(`*a${i - 1}`);
          const body = `[${items.join(',')}]`;
          const key = KEY_FORMS[keyForm](`v${i}`);
          const sep = spaceAfterColon || keyForm > 1 ? ' ' : '';
          lines.push(shape === 'flow' && keyForm < 2 && form !== 3 ? `${key}${sep}${ANCHOR_FORMS[form](`a${i}`, body)}` : `${key} ${ANCHOR_FORMS[form](`a${i}`, body)}`);
        }
        const text = shape === 'flow' && keyForm < 2 && form !== 3
          ? `${HEAD}data: {${lines.join(', ')}}\n`
          : `${HEAD}data:\n${lines.map((l) => `  ${l.replace(/\n/g, '\n  ')}`).join('\n')}\n`;
        const r = parseManifests(text, 'bomb.yaml');
        const size = r.objects.reduce((n, o) => n + expanded(o.manifest, MAX_ALIAS_NODES), 0);
        // either refused, with one clear line, or small enough to walk
        if (r.errors.length > 0) {
          expect(r.errors[0].message).toMatch(/alias|^[A-Z]/);
          expect(r.errors[0].message).not.toMatch(/\n/);
        }
        expect(size).toBeLessThanOrEqual(MAX_ALIAS_NODES);
        // a real bomb (10^4 nodes and more) is always refused
        if (width ** depth >= 10_000) expect(r.errors.map((e) => e.message).join()).toMatch(/alias bomb/);
      }), { numRuns: Number(process.env.FC_RUNS ?? 60) });
  });

  test('aliases: the 754-byte bomb of the issue ("key":&anchor, no blank before "&") is one LOAD error in analyze', async () => {
    let text = 'apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: bomb, namespace: shop}\nspec:\n'
      + '  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0\n  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]\n'
      + `  pluginConfig: {"v0":&a0 [${Array(10).fill('"lol"').join(',')}]`;
    for (let i = 1; i < 9; i++) text += `,"v${i}":&a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`;
    text += '}\n';
    expect(text.length).toBe(754);
    // the loader refuses it (bounded: nothing walks the value); only then does the whole CLI run on it
    const r = parseManifests(text, 'bomb.yaml');
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([{ file: 'bomb.yaml', line: 7, column: 99, message: 'aliases would expand this document without bound (an alias bomb?); write the values out' }]);
    const dir = tmp();
    const out = await cli('analyze', write(dir, 'bomb.yaml', text));
    expect(out.code).toBe(2);
    expect(out.out).toMatch(/^error LOAD .*bomb\.yaml:7: aliases would expand this document without bound/m);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('aliases: flat reuse beyond the budget, and an alias into its own node, are refused', () => {
    const flat = `${HEAD}data:\n  a: &a [${Array(2000).fill('"x"').join(',')}]\n  b: [${Array(600).fill('*a').join(',')}]\n`;
    expect(parseManifests(flat, 'flat.yaml').errors[0].message).toMatch(/alias bomb|more than 1,000,000 nodes/);
    const cycle = parseManifests(`${HEAD}data: &a {x: *a}\n`, 'cycle.yaml');
    expect(cycle.objects).toEqual([]);
    expect(cycle.errors[0]).toMatchObject({ file: 'cycle.yaml', line: 4, message: expect.stringMatching(/alias refers to the node that contains it/) });
  });

  test('aliases: a few are read as written, and "&" in a string keeps the fast path', () => {
    const few = parseManifests(`${HEAD}labels: &l {app: x}\nspec: {selector: *l, template: {labels: *l}}\n`, 'few.yaml');
    expect(few.errors).toEqual([]);
    expect(few.objects[0].manifest.spec).toEqual({ selector: { app: 'x' }, template: { labels: { app: 'x' } } });
    const amp = `${HEAD}data: {url: "https://x.example?a=1&b=2"}\n`;
    expect(parseManifests(amp, 'amp.yaml')).toEqual(parseExact(amp, 'amp.yaml'));
  });

  test('a 130,000-object file loads (no spread of its objects into push)', () => {
    const dir = tmp();
    // the smallest objects that still are objects: it is their number that once overflowed the stack
    write(dir, 'big.json', `{"apiVersion":"v1","kind":"List","items":[${Array(130_000).fill('{}').join(',')}]}`);
    const r = loadManifests([dir]);
    expect(r.errors).toEqual([]);
    expect(r.objects).toHaveLength(130_000);
    expect(r.objects[129_999].origin).toBe(`${path.join(dir, 'big.json')}:1#items[129999]`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a file over the size cap is refused with its size and the flag that raises the cap; the cap is configurable', async () => {
    const dir = tmp();
    const file = write(dir, 'a.yaml', `${HEAD}data: {x: "${'y'.repeat(200)}"}\n`);
    expect(DEFAULT_MAX_FILE_BYTES).toBe(64 * 1024 * 1024);
    expect(readManifestFile(file, { maxFileBytes: 100 })).toEqual({ error: { file, line: 0, message: expect.stringMatching(/^is 2\d\d bytes, more than the 100 bytes a file may have; split it, or raise the limit \(--max-file-size\)$/) } });
    expect('text' in readManifestFile(file)).toBe(true);
    const small = await cli('analyze', '--max-file-size', '100', file);
    expect(small.code).toBe(2);
    expect(small.out).toMatch(/^error LOAD .*a\.yaml: is \d+ bytes, more than the 100 bytes/m);
    expect((await cli('analyze', '--max-file-size', '1KiB', file)).code).toBe(0);
    expect((await cli('simulate', '--max-file-size', '100', '--manifests', file, '--from', 'a/b', 'http://x/')).out).toMatch(/^error: manifests: .*more than the 100 bytes/);
    // every command that reads YAML takes the same flag
    expect((await cli('graph', '--max-file-size', '100', file)).out).toMatch(/^error: .*a\.yaml: is \d+ bytes, more than the 100 bytes/);
    expect((await cli('diff', '--max-file-size', '100', file, file)).out).toMatch(/^error: OLD: .*a\.yaml: is \d+ bytes, more than the 100 bytes/);
    const allow = write(dir, 'allow.yaml', `- ${'['.repeat(150)}\n`);
    expect((await cli('diff', '--allow', allow, file, file)).out).toMatch(/^error: .*allow\.yaml:1: nesting is deeper than 100 levels/);
    const bad = await cli('analyze', '--max-file-size', 'lots', file);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--max-file-size <size>' argument 'lots' is invalid\. must be a size such as 64MiB/);
    expect([parseByteSize('64MiB'), parseByteSize('512k'), parseByteSize('1048576'), parseByteSize('1.5 GiB')]).toEqual([64 * 1024 ** 2, 512 * 1024, 1048576, 1.5 * 1024 ** 3]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('duplicate keys are a LOAD error naming the key and its line (kubectl decodes strictly)', async () => {
    const text = 'apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: auth, namespace: shop}\nspec:\n  failStrategy: FAIL_CLOSE\n  failStrategy: FAIL_OPEN\n';
    const r = parseManifests(text, 'dup.yaml');
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([{ file: 'dup.yaml', line: 6, column: 3, message: 'duplicate key "failStrategy" in one map: kubectl\'s strict decoding rejects it, and other tools keep either value; keep one' }]);
    // in flow maps, quoted keys and JSON alike
    expect(parseManifests(`${HEAD}data: {"a": 1, "a": 2}\n`, 'd.json').errors[0].message).toMatch(/^duplicate key "a"/);
    const dir = tmp();
    const out = await cli('analyze', write(dir, 'dup.yaml', text));
    expect(out.code).toBe(2);
    expect(out.out).toMatch(/^error LOAD .*dup\.yaml:6: duplicate key "failStrategy"/m);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an empty file, or one of only comments and "---", is a warning naming the file', async () => {
    const dir = tmp();
    const empty = write(dir, 'empty.yaml', '');
    const dashes = write(dir, 'dashes.yaml', '---\n# nothing here\n---\n');
    write(dir, 'ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    const r = analyzePaths([dir]);
    expect(r.loadErrors).toEqual([]);
    expect(r.loadWarnings).toEqual([
      { file: dashes, line: 0, message: 'holds no Kubernetes object (only comments and document markers)' },
      { file: empty, line: 0, message: 'the file is empty, so it holds no Kubernetes object' },
    ]);
    expect(renderText(r)).toMatch(new RegExp(`^warning LOAD ${dashes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: holds no Kubernetes object`, 'm'));
    expect(renderText(r).trimEnd().split('\n').pop()).toBe('0 errors, 0 warnings in 1 object from 3 files; 2 input warnings');
    expect(exitCodeOf(r)).toBe(0);
    expect(exitCodeOf(r, FailOn.WARNING)).toBe(1);
    expect(JSON.parse(renderJson(r, 0)).loadWarnings.map((w: any) => w.text)).toEqual([`warning LOAD ${dashes}: holds no Kubernetes object (only comments and document markers)`, `warning LOAD ${empty}: the file is empty, so it holds no Kubernetes object`]);
    // an empty List is not an empty file
    write(dir, 'list.yaml', 'apiVersion: v1\nkind: List\nitems: []\n');
    expect(analyzePaths([path.join(dir, 'list.yaml')]).loadWarnings).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('bytes that are not UTF-8 are an error with file, line and column; UTF-16 is named; UTF-8 with a BOM reads', () => {
    const dir = tmp();
    const latin1 = write(dir, 'latin1.yaml', Buffer.concat([Buffer.from(`${HEAD}data:\n  city: "M`), Buffer.from([0xfc]), Buffer.from('nchen"\n')]));
    expect(loadManifests([latin1]).errors).toEqual([{ file: latin1, line: 5, column: 11, message: 'is not valid UTF-8 (byte 0xfc at column 11); save the file as UTF-8' }]);
    const utf16 = write(dir, 'utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEAD, 'utf16le')]));
    expect(loadManifests([utf16]).errors[0].message).toBe('is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8');
    // an overlong encoding and a lone surrogate are not UTF-8 either
    const overlong = write(dir, 'overlong.yaml', Buffer.concat([Buffer.from(HEAD), Buffer.from([0xc0, 0xaf, 0x0a])]));
    expect(loadManifests([overlong]).errors[0]).toMatchObject({ line: 4, column: 1, message: expect.stringMatching(/byte 0xc0/) });
    const surrogate = write(dir, 'surrogate.yaml', Buffer.concat([Buffer.from(`${HEAD}# `), Buffer.from([0xed, 0xa0, 0x80])]));
    expect(loadManifests([surrogate]).errors[0]).toMatchObject({ line: 4, column: 3 });
    const bom = write(dir, 'bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEAD}data: {city: "München"}\n`)]));
    const ok = loadManifests([bom]);
    expect(ok.errors).toEqual([]);
    expect(ok.objects[0].manifest.data.city).toBe('München');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a file linked twice is read once; a link to nothing is named as such', () => {
    const dir = tmp();
    write(dir, 'a/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    fs.symlinkSync('ns.yaml', path.join(dir, 'a', 'same.yaml'));
    fs.symlinkSync('missing.yaml', path.join(dir, 'a', 'dangling.yaml'));
    const r = listManifestFiles([dir]);
    expect(r.files.map((f) => path.relative(dir, f))).toEqual(['a/ns.yaml']);
    expect(r.errors).toEqual([{ file: path.join(dir, 'a', 'dangling.yaml'), line: 0, message: 'a symbolic link to nothing (its target does not exist)' }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a batch-style document is read under the same limits', () => {
    expect(parseYamlDocument('- a\n- a: 1\n  a: 2\n', 'c.yaml')).toEqual({ error: { file: 'c.yaml', line: 3, column: 3, message: expect.stringMatching(/^duplicate key "a"/) } });
    expect(parseYamlDocument('', 'c.yaml')).toEqual({ error: { file: 'c.yaml', line: 1, message: 'the file is empty' } });
    expect(parseYamlDocument(`- ${'['.repeat(150)}${']'.repeat(150)}\n`, 'c.yaml')).toMatchObject({ error: { message: expect.stringMatching(/nesting is deeper than 100 levels/) } });
  });
});
