// The analyze cache against what a hostile or careless world puts in its folder: the writer touches only names of
// its own making, never writes a credential, never reads a file larger than the input explains, never trusts a
// file damaged in place, a link or a report of the wrong shape, and a write that fails leaves the cache as it was.
// Each of these once went the other way (the first four) or is held here so that it stays so.
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import fc from 'fast-check';
import { analyzePaths } from '../../src/analyze';
import { holdsSecret, redactSecrets } from '../../src/rules/display';
import { ambientNamespaceYaml, authPluginYaml, tmpDir } from '../support';

// fs.rmSync loads Node's folder walker on first use, which takes lstatSync and readdirSync from fs as they are then:
// loaded here, before any spy below, so that it never keeps one
fs.rmSync(path.join(tmpDir('cache-hostile-warm-'), 'none'), { force: true });

const NS = ambientNamespaceYaml;
const PLUGIN = (ns: string, creds: string[]) => authPluginYaml(ns, { credentials: creds });

function input(): string {
  const dir = tmpDir('cache-hostile-in-');
  fs.writeFileSync(path.join(dir, 'ns.yaml'), NS('a'));
  fs.writeFileSync(path.join(dir, 'plugin.yaml'), PLUGIN('a', ['<path:secret/data/auth#token>']));
  fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: a}\ndata: {mode: strict}\n');
  return dir;
}

/** Every file below `dir`, path to bytes. */
function tree(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[path.relative(dir, p)] = fs.readFileSync(p);
    }
  };
  walk(dir);
  return out;
}

const reportFiles = (cache: string) => fs.readdirSync(path.join(cache, 'runs')).map((f) => path.join(cache, 'runs', f));
const keptFile = (cache: string) => path.join(cache, fs.readdirSync(cache).find((f) => /^files-.*\.ndjson$/.test(f))!);

/** A report file as the cache writes it: the sha256 of the serialized report, then the serialized report. */
function reportBytes(key: string, report: unknown): Buffer {
  const data = v8.serialize({ key, report });
  return Buffer.concat([crypto.createHash('sha256').update(data).digest(), data]);
}

/** The bytes read (read and readFileSync) while `run` runs. */
function bytesRead<T>(run: () => T): { result: T; bytes: number } {
  const real = require('fs') as typeof fs;
  const readSync = jest.spyOn(real, 'readSync');
  const readFileSync = jest.spyOn(real, 'readFileSync');
  try {
    const result = run();
    const bytes = readSync.mock.results.reduce((n, r) => n + (typeof r.value === 'number' ? r.value : 0), 0)
      + readFileSync.mock.results.reduce((n, r) => n + (r.value && typeof r.value.length === 'number' ? r.value.length : 0), 0);
    return { result, bytes };
  } finally {
    readSync.mockRestore();
    readFileSync.mockRestore();
  }
}

describe('the analyze cache folder, given carelessly or tampered with', () => {
  test('a folder of the user\'s own files given as the cache loses none of them', () => {
    // GIVEN the input folder itself given as the cache, holding files whose names are near the cache's own
    const dir = input();
    const mine: Record<string, string> = {
      'files.json': '{"kind": "List", "apiVersion": "v1", "items": []}\n',
      'files-list.json': '{"kind": "List", "apiVersion": "v1", "items": []}\n',
      'files-0123.ndjson': 'mine\n',
      [path.join('runs', 'mine.v8')]: 'mine',
      [path.join('runs', 'notes.txt')]: 'mine',
    };
    fs.mkdirSync(path.join(dir, 'runs'));
    for (const [rel, text] of Object.entries(mine)) fs.writeFileSync(path.join(dir, rel), text);
    const plain = analyzePaths([dir]);
    // WHEN it runs there a dozen times, a new input each time (more reports than it keeps)
    for (let i = 0; i < 12; i++) {
      expect(analyzePaths([dir], { cacheDir: dir, ignore: [{ codes: [`X${i}`], reason: '' }] }).findings).toEqual(plain.findings);
    }
    // THEN every file of the user's is there as it was; only names of the cache's own making were added
    for (const [rel, text] of Object.entries(mine)) expect(fs.readFileSync(path.join(dir, rel), 'utf8')).toBe(text);
    expect(fs.readdirSync(path.join(dir, 'runs')).filter((f) => /^[0-9a-f]{64}\.v8$/.test(f))).toHaveLength(8);
    expect(fs.readdirSync(dir).filter((f) => !(f in mine) && f !== 'runs' && !/\.yaml$/.test(f))).toEqual([expect.stringMatching(/^files-[0-9a-f]{16}\.ndjson$/)]);
  });

  test('no credential of the input is ever written to the cache; a file that holds one is parsed each time', () => {
    const dir = input();
    const secrets = ['hunter2-in-a-secret', 'admin3:s3cr3t-plain', Buffer.from('alice:b64-s3cr3t').toString('base64'), 'p4ss-under-a-key', 'url-p4ss', 'bare-url-p4ss'];
    fs.writeFileSync(path.join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\nstringData: {password: ${secrets[0]}}\n`);
    fs.writeFileSync(path.join(dir, 'plain.yaml'), PLUGIN('a', [secrets[1], secrets[2]]).replace('name: auth', 'name: plain'));
    // a WasmPlugin url without a scheme is still a URL, and its password a password (oci is the default scheme)
    fs.writeFileSync(path.join(dir, 'bare.yaml'), `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: bare, namespace: a}\nspec:\n  url: "puller:${secrets[5]}@ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0"\n`);
    fs.writeFileSync(path.join(dir, 'conf.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: a}\ndata:\n  password: ${secrets[3]}\n  db: "postgres://app:${secrets[4]}@db:5432/x"\n`);
    // one with a YAML error after the credential: the error message must not carry it either
    fs.writeFileSync(path.join(dir, 'broken.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: a}\nstringData:\n  token: ${secrets[0]}\n  token: again\n`);
    const cache = tmpDir('cache-hostile-secret-');
    const plain = analyzePaths([dir]);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain); // the report, read back
    const written = tree(cache);
    for (const s of secrets) {
      for (const [f, bytes] of Object.entries(written)) expect({ f, found: bytes.includes(s) }).toEqual({ f, found: false });
    }
    // the files without a credential are kept (a vault placeholder is a reference, not a secret), and so is the
    // broken one, whose parse is its error alone
    const kept = fs.readFileSync(keptFile(cache), 'utf8');
    expect(kept).toContain('<path:secret/data/auth#token>');
    expect(kept).toContain('duplicate key \\"token\\"');
    expect(kept.split('\n').filter((l) => l !== '')).toHaveLength(1 + 3 + 1 + 1); // the header, the kept parses, and the checksum line
    // and with its report gone, a changed input reads the files with credentials again, to the same report
    for (const f of reportFiles(cache)) fs.rmSync(f);
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: a}\ndata: {mode: lax}\n');
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(analyzePaths([dir]));
  });

  test('a cache file far larger than the input explains is not read (a report, the kept parses), and the report is right', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-huge-');
    const plain = analyzePaths([dir]);
    analyzePaths([dir], { cacheDir: cache });
    // GIVEN both files grown to 200 MB (sparse: no disk is used), where the input is a few hundred bytes
    const [report] = reportFiles(cache);
    fs.truncateSync(report, 200 * 2 ** 20);
    fs.truncateSync(keptFile(cache), 200 * 2 ** 20);
    // WHEN it runs again, THEN it reads neither (a few KiB in all: the input, the tool's own fingerprint aside)
    const { result, bytes } = bytesRead(() => analyzePaths([dir], { cacheDir: cache }));
    expect(result).toEqual(plain);
    expect(bytes).toBeLessThan(2 ** 20);
    // AND the cache is whole again: the next run is answered from it
    expect(fs.statSync(report).size).toBeLessThan(2 ** 20);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
  });

  test('a report or a kept parse changed in place (one character in a string) is a miss, not a wrong answer', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-flip-');
    const plain = analyzePaths([dir]);
    expect(plain.findings.length).toBeGreaterThan(0);
    analyzePaths([dir], { cacheDir: cache });
    // a report whose finding's message lost a letter, still a report v8 reads
    const [report] = reportFiles(cache);
    const bytes = fs.readFileSync(report);
    const word = plain.findings[0].message.slice(0, 12);
    const at = bytes.indexOf(word, 0, 'latin1');
    expect(at).toBeGreaterThan(0);
    bytes[at] = bytes[at] === 0x78 ? 0x79 : 0x78;
    fs.writeFileSync(report, bytes);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    // a kept parse whose ConfigMap value changed, still JSON of the right shape
    for (const f of reportFiles(cache)) fs.rmSync(f);
    const kept = keptFile(cache);
    fs.writeFileSync(kept, fs.readFileSync(kept, 'utf8').replace('"mode":"strict"', '"mode":"strict-forged"'));
    fs.writeFileSync(path.join(dir, 'ns.yaml'), NS('a').replace('ambient', 'none')); // a changed input: the kept parses are read
    const now = analyzePaths([dir]);
    const run = analyzePaths([dir], { cacheDir: cache });
    expect(run).toEqual(now);
    expect(JSON.stringify(run)).not.toContain('strict-forged');
  });

  test('a report of the wrong shape under the right name and checksum is a miss (a number for a list, a sparse list of 2^32 - 1)', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-shape-');
    const plain = analyzePaths([dir]);
    analyzePaths([dir], { cacheDir: cache });
    const [report] = reportFiles(cache);
    const key = path.basename(report, '.v8');
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    for (const forged of [5, { ...plain, findings: 5 }, { ...plain, loadErrors: 'none' }, { ...plain, findings: [{ code: 1 }] }, { ...plain, files: sparse }, { ...plain, summary: null }]) {
      fs.writeFileSync(report, reportBytes(key, forged));
      expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    }
    // the same bytes with a good report are read back (so the forgeries above were read, and refused)
    fs.writeFileSync(report, reportBytes(key, { ...plain, files: ['read-back'] }));
    expect(analyzePaths([dir], { cacheDir: cache }).files).toEqual(['read-back']);
  });

  test('links where the cache keeps its files are not followed: a report link is not read, a runs link is not written through', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-link-');
    const elsewhere = tmpDir('cache-hostile-elsewhere-');
    const plain = analyzePaths([dir]);
    analyzePaths([dir], { cacheDir: cache });
    // a valid report, elsewhere, linked where the report goes
    const [report] = reportFiles(cache);
    const forged = path.join(elsewhere, 'forged.v8');
    fs.writeFileSync(forged, reportBytes(path.basename(report, '.v8'), { ...plain, files: ['forged'] }));
    fs.rmSync(report);
    fs.symlinkSync(forged, report);
    expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    // the kept parses a link to a file elsewhere: not read, and the link (not its target) replaced
    const kept = keptFile(cache);
    fs.copyFileSync(kept, path.join(elsewhere, 'kept.ndjson'));
    fs.rmSync(kept);
    fs.symlinkSync(path.join(elsewhere, 'kept.ndjson'), kept);
    expect(analyzePaths([dir], { cacheDir: cache, rootNamespace: 'other' })).toEqual(analyzePaths([dir], { rootNamespace: 'other' }));
    expect(fs.lstatSync(kept).isFile()).toBe(true);
    // `runs` a link to a folder elsewhere: nothing is written there, nothing of it removed
    fs.rmSync(path.join(cache, 'runs'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(cache, 'runs'));
    const before = tree(elsewhere);
    expect(analyzePaths([dir], { cacheDir: cache, rootNamespace: 'third' })).toEqual(analyzePaths([dir], { rootNamespace: 'third' }));
    expect(tree(elsewhere)).toEqual(before);
  });

  test('a cache folder that is a dangling link, a pipe or a device is no cache, and the report is the same', () => {
    const dir = input();
    const plain = analyzePaths([dir]);
    const base = tmpDir('cache-hostile-odd-');
    fs.symlinkSync(path.join(base, 'nowhere'), path.join(base, 'dangling'));
    execFileSync('mkfifo', [path.join(base, 'pipe')]);
    for (const cache of [path.join(base, 'dangling'), path.join(base, 'pipe'), '/dev/null']) {
      expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
    }
    expect(fs.existsSync(path.join(base, 'nowhere'))).toBe(false); // (mkdir does not follow a dangling link)
    // a link to a folder is the folder (the user's to choose): the cache is kept there, and answers the next run
    fs.mkdirSync(path.join(base, 'real'));
    fs.symlinkSync(path.join(base, 'real'), path.join(base, 'linked'));
    expect(analyzePaths([dir], { cacheDir: path.join(base, 'linked') })).toEqual(plain);
    expect(fs.readdirSync(path.join(base, 'real', 'runs'))).toHaveLength(1);
    expect(analyzePaths([dir], { cacheDir: path.join(base, 'linked') })).toEqual(plain);
  });

  test('whatever bytes are changed or cut in its files, a run gives the uncached report and never throws (property)', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-fuzz-');
    analyzePaths([dir], { cacheDir: cache });
    const [report] = reportFiles(cache);
    const kept = keptFile(cache);
    const good = { report: fs.readFileSync(report), kept: fs.readFileSync(kept) };
    const plain = analyzePaths([dir]);
    // the kept parses are read only when the run's report is not known: a second root makes another run of the same files
    const other = analyzePaths([dir, path.join(dir, 'ns.yaml')]);
    const edit = fc.record({
      which: fc.constantFrom('report', 'kept'),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat()),
    });
    fc.assert(fc.property(edit, ({ which, edits, cut }) => {
      const b = Buffer.from(good[which as 'report' | 'kept']);
      for (const [at, value] of edits) b[at % b.length] = value;
      const bytes = cut === null ? b : b.subarray(0, cut % (b.length + 1));
      fs.writeFileSync(report, which === 'report' ? bytes : good.report);
      fs.writeFileSync(kept, which === 'kept' ? bytes : good.kept);
      for (const f of reportFiles(cache)) if (f !== report) fs.rmSync(f);
      expect(analyzePaths([dir], { cacheDir: cache })).toEqual(plain);
      expect(analyzePaths([dir, path.join(dir, 'ns.yaml')], { cacheDir: cache })).toEqual(other);
    }), { numRuns: 60 });
  });

  test('a cache folder that cannot be read or written (permission denied; root is not denied, so the calls fail here) is a miss', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-denied-');
    analyzePaths([dir], { cacheDir: cache });
    const plain = analyzePaths([dir], { rootNamespace: 'other' });
    const real = require('fs') as typeof fs;
    const denied = (p: unknown) => String(p).startsWith(cache);
    const eacces = () => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); };
    const before = tree(cache);
    const spies = (['openSync', 'mkdirSync', 'readdirSync', 'lstatSync', 'renameSync'] as const).map((m) => {
      const original = real[m] as (...a: any[]) => any;
      return jest.spyOn(real, m as any).mockImplementation((...args: any[]) => (denied(args[0]) ? eacces() : original(...args)));
    });
    let run;
    try {
      run = analyzePaths([dir], { cacheDir: cache, rootNamespace: 'other' });
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(run).toEqual(plain);
    expect(tree(cache)).toEqual(before);
  });

  test('a write that fails (a full disk) leaves the cache as it was, with no temporary file behind', () => {
    const dir = input();
    const cache = tmpDir('cache-hostile-full-');
    analyzePaths([dir], { cacheDir: cache });
    const before = tree(cache);
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: a}\ndata: {mode: lax}\n');
    const real = require('fs') as typeof fs;
    const spy = jest.spyOn(real, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    let run;
    try {
      run = analyzePaths([dir], { cacheDir: cache });
    } finally {
      spy.mockRestore();
    }
    expect(run).toEqual(analyzePaths([dir]));
    expect(tree(cache)).toEqual(before);
  });
});

describe('holdsSecret (what the cache will not keep)', () => {
  test('is true exactly where redactSecrets would change the value (property)', () => {
    const key = fc.constantFrom('kind', 'data', 'stringData', 'credentials', 'Password', 'token', 'name', 'url', 'spec');
    const str = fc.oneof(fc.constantFrom('Secret', 'ConfigMap', 'ok:test', 'YWRtaW4zOmFkbWluMw==', '<path:secret/data/x#k>', 'user:***',
      'https://u:p@host/', 'https://host/', 'u:p@ghcr.io/x', 'nginx:1.25@sha256:ab', ''), fc.string({ maxLength: 6 }));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(fc.property(value, (v) => {
      expect(holdsSecret(v)).toBe(JSON.stringify(redactSecrets(v)) !== JSON.stringify(v));
    }), { numRuns: 1000 });
  });
});
