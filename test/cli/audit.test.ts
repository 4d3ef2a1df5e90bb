// The CLI's error paths as a clumsy or hostile user meets them in the first hour: every wrong value is exit 2 with
// one line on stderr naming the option, the value and the fix, and nothing on stdout; no password is ever echoed.
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir, writeFiles } from '../support';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const URL = 'http://productpage:9080/productpage';
const SECRET = 'Zs3cretPw';
const SIM = ['simulate', '--manifests', DIST, '--from', 'default/curl'];

let tmp: string;
beforeAll(() => { tmp = tmpDir('audit-cli-'); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => path.join(writeFiles(tmp, { [name]: text }), name);

/** Runs the CLI and checks the usage-error contract: exit 2, nothing on stdout, one line on stderr. */
async function refused(...argv: string[]): Promise<string> {
  const r = await cli(...argv);
  expect({ code: r.code, out: r.out }).toEqual({ code: 2, out: '' });
  expect(r.err.endsWith('\n') && r.err.split('\n')).toHaveLength(2);
  return r.err;
}

describe('wrong option values are refused, not taken', () => {
  test('a misspelt command or option is one line that keeps commander\'s suggestion', async () => {
    expect(await refused('analyse', DIST)).toBe("error: unknown command 'analyse' (Did you mean analyze?)\n");
    expect(await refused('analyze', '--formt', 'json', DIST)).toBe("error: unknown option '--formt' (Did you mean --format?)\n");
    expect(await refused('analyze', '--frobnicate', DIST)).toBe("error: unknown option '--frobnicate'\n");
  });

  test('an empty or malformed namespace, and a malformed cluster domain, are exit 2 naming the option and the value', async () => {
    expect(await refused('analyze', '--root-namespace', '', DIST)).toBe(
      'error: option \'--root-namespace <namespace>\' argument \'\' is invalid. must be a namespace name: lowercase a-z, 0-9 and "-", at most 63 characters (got ""); e.g. istio-system\n');
    expect(await refused('analyze', '--default-namespace', 'My NS', DIST)).toMatch(/^error: option '--default-namespace <namespace>' argument 'My NS' is invalid\. must be a namespace name.*\(got "My NS"\)/);
    expect(await refused('graph', DIST, '-n', '')).toMatch(/^error: option '-n, --namespace <namespace>' argument '' is invalid/);
    expect(await refused('diff', DIST, DIST, '--root-namespace', 'a'.repeat(64))).toMatch(/must be a namespace name/);
    expect(await refused(...SIM, '--cluster-domain', 'cluster..local', URL)).toMatch(/^error: option '--cluster-domain <domain>' argument 'cluster\.\.local' is invalid\. must be a DNS domain such as cluster\.local/);
    expect(await refused(...SIM, '--cluster-domain', '', URL)).toMatch(/must be a DNS domain/);
    // what the docs show still works: a trailing dot is a DNS name's root
    const ok = await cli(...SIM, '--cluster-domain', 'cluster.local.', '--root-namespace', 'istio-system', URL);
    expect(ok.code).toBe(0);
  });

  test('an empty --ignore or --allow is refused (it was taken as nothing to ignore, or as a file named "")', async () => {
    expect(await refused('analyze', '--ignore', '', DIST)).toMatch(/^error: option '--ignore <codes>' argument '' is invalid\. is empty; write rule codes such as "BA011"/);
    expect(await refused('diff', DIST, DIST, '--allow', ' ')).toMatch(/^error: option '--allow <file>' argument ' ' is invalid\. is empty; pass a YAML file/);
  });

  test('an empty path is named as such, in every command', async () => {
    const fix = 'an empty path ("") names no file or folder; pass the YAML file or folder (e.g. dist)';
    expect(await refused('analyze', DIST, '')).toBe(`error: paths: ${fix}\n`);
    expect(await refused('graph', '')).toBe(`error: paths: ${fix}\n`);
    expect(await refused('diff', '', DIST)).toBe(`error: OLD: ${fix}\n`);
    expect(await refused('diff', DIST, '')).toBe(`error: NEW: ${fix}\n`);
    expect(await refused('simulate', '--manifests', '', '--from', 'default/curl', URL)).toBe(`error: manifests: ${fix}\n`);
    expect(await refused('simulate', '--manifests', DIST, '--requests', '')).toMatch(/^error: requests: an empty path \(""\) names no file or folder; pass the YAML file of requests/);
  });

  test('a second URL, or a third tree, is refused instead of dropped', async () => {
    expect(await refused(...SIM, URL, 'http://reviews:9080/')).toBe('error: too many arguments for \'simulate\'. Expected 1 argument but got 2.\n');
    expect(await refused('diff', DIST, DIST, DIST)).toBe('error: too many arguments for \'diff\'. Expected 2 arguments but got 3.\n');
  });

  test('--json with another --format is a conflict, not a silent choice', async () => {
    expect(await refused(...SIM, '--json', '--format', 'text', URL)).toBe('error: --json: conflicts with --format text; pass one of them (--json is --format json)\n');
    const same = await cli(...SIM, '--json', '--format', 'json', URL);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out).status).toBe(401);
  });

  test('--version prints the version on stdout, exit 0', async () => {
    const r = await cli('--version');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  test('a malformed --allow file names the option, the line and the fix', async () => {
    const bad = write('allow.yaml', '- reason: x\n  target: [\n');
    expect(await refused('diff', DIST, DIST, '--allow', bad)).toMatch(new RegExp(`^error: --allow: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: .*; fix the YAML: a list of allow entries, each with a reason\\n$`));
    const entry = write('allow-entry.yaml', '- {}\n');
    expect(await refused('diff', DIST, DIST, '--allow', entry)).toBe(`error: --allow: ${entry}:1: allow[0].reason: is required (got undefined); say why this opening is intended\n`);
  });
});

test('a very long URL, header or method is cut in its error line, as findings cut values', async () => {
  const long = 'a'.repeat(100_000);
  const errors = [
    await refused(...SIM, `http://productpage:99999/${long}`),
    await refused(...SIM, '-H', `X-Note: ${long}\u0001`, URL),
    await refused(...SIM, '-H', `${long} value`, URL),
    await refused(...SIM, '-X', `${long} `, URL),
  ];
  for (const e of errors) {
    expect(e.length).toBeLessThan(400);
    expect(e).toMatch(/a\.\.\.\)?;? /);
  }
});

test('a file name with a line break keeps its line number in JSON and SARIF (the whole origin was taken for the file)', async () => {
  const file = write('evil\nerror FAKE.yaml', fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'rules', 'WASM005.bad.yaml'), 'utf8'));
  const json = JSON.parse((await cli('analyze', '--format', 'json', file)).out);
  expect(json.findings[0]).toMatchObject({ code: 'WASM005', file, line: 2 });
  const sarif = JSON.parse((await cli('analyze', '--format', 'sarif', file)).out);
  const location = sarif.runs[0].results[0].locations[0].physicalLocation;
  expect(location.artifactLocation.uri).toMatch(/evil%0Aerror%20FAKE\.yaml$/);
  expect(location.region.startLine).toBe(13);
  // the text report escapes the break, so no line of its own can be forged
  expect((await cli('analyze', file)).out).toContain('evil\\nerror FAKE.yaml:2');
});

test('simulate -o (accepted as curl takes it, with no effect) never touches the file it names', async () => {
  const mine = write('mine.txt', 'my notes\n');
  const r = await cli(...SIM, '-s', '-o', mine, '-w', '%{http_code}', URL);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(mine, 'utf8')).toBe('my notes\n');
  expect(r.out.trimEnd().split('\n').pop()).toBe('401');
});

describe('no password is echoed, whatever form it comes in', () => {
  test('a URL without a scheme still has its password masked: in the trace, the JSON and errors', async () => {
    const url = `alice:${SECRET}@productpage:9080/productpage`;
    const text = await cli(...SIM, url);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^request {6}GET alice:\*\*\*@productpage:9080\/productpage from default\/curl$/m);
    const json = await cli(...SIM, '--json', url);
    expect(JSON.parse(json.out).request.url).toBe('alice:***@productpage:9080/productpage');
    const bad = await refused(...SIM, `alice:${SECRET}@productpage:99999/`);
    expect(bad).toBe('error: URL: port "99999" is not a number from 1 to 65535 (got "alice:***@productpage:99999/"); write the Service port, e.g. :9080\n');
    for (const out of [text.out, json.out, bad]) expect(out).not.toContain(SECRET);
  });

  test('a batch entry\'s headers, in any of their forms, are masked in errors; its errors name the file, line and entry', async () => {
    const entry = (extra: string) => `- {from: default/curl, url: "${URL}", expect: 200, ${extra}}\n`;
    const cases: Array<[string, string]> = [
      ['headers: ["Authorization: Basic ' + SECRET + '", 3]', 'requests[0].headers: must be a map or a list of "Name: value" strings (got ["Authorization: Basic *** (9 characters)",3])'],
      ['headers: {Cookie: ' + SECRET + ', X-Note: 3}', 'requests[0].headers: value of X-Note must be a string (got {"Cookie":"*** (9 characters)","X-Note":3})'],
      ['headers: "Authorization: Basic ' + SECRET + '"', 'requests[0].headers: must be a map or a list of "Name: value" strings (got "Authorization: Basic *** (9 characters)")'],
      ['headers: ["X-Note: a", "Authorization ' + SECRET + '"]', 'requests[0].headers[1]: header: must be "Name: value" with a token name (got "Authorization: *** (9 characters)")'],
      ['user: ' + SECRET, 'requests[0]: user: must be "user:password" (got "*** (9 characters)", with no ":")'],
    ];
    for (const [extra, message] of cases) {
      const file = write('checks.yaml', entry(extra));
      const err = await refused('simulate', '--manifests', DIST, '--requests', file);
      expect(err.startsWith(`error: ${file}:1: ${message}`)).toBe(true);
      expect(err).not.toContain(SECRET);
    }
    // a schemeless URL with a password in a batch: masked in the table, the JSON and the JUnit report
    const ok = write('ok.yaml', `- {from: default/curl, url: "alice:${SECRET}@productpage:9080/", expect: 200}\n`);
    for (const format of ['text', 'json', 'junit']) {
      const r = await cli('simulate', '--manifests', DIST, '--requests', ok, '--format', format);
      expect(r.code).toBe(0);
      expect(r.out).toContain('alice:***@productpage:9080/');
      expect(r.out).not.toContain(SECRET);
    }
  });

  test('analyze masks a password in a WasmPlugin url that has no "://" (Istio reads the user as the scheme)', async () => {
    const file = write('plugin.yaml', `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: auth, namespace: shop}
spec:
  url: "alice:${SECRET}@ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0"
  selector: {matchLabels: {app: x}}
`);
    for (const format of ['text', 'json', 'sarif']) {
      const r = await cli('analyze', '--format', format, file);
      expect(r.code).toBe(1);
      expect(r.out).toContain('alice:***@ghcr.io/');
      expect(r.out).not.toContain(SECRET);
    }
  });
});
