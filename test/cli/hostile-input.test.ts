// Secrets and forged lines: no credential is ever printed (text, JSON, errors, the cdk8s report), and nothing
// a user or a manifest writes can add a line of its own to a report; IPv6 literals are read, zone included.
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins/validation');
import { parseUrl } from '../../src/simulate';
import { IstioAmbientValidation } from '../../src/validation-plugin';
import { cli, tmpDir, writeFiles } from '../support';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const SECRET = 'S3cretPassw0rd';

let tmp: string;
beforeAll(() => { tmp = tmpDir('hostile-cli-'); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => path.join(writeFiles(tmp, { [name]: text }), name);

const plugin = (credentials: string, name = 'auth') => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: ${JSON.stringify(name)}, namespace: shop}
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  pluginConfig:
    basic_auth_rules:
      - prefix: /
        request_methods: [GET]
        credentials: ${credentials}
`;

describe('no credential is printed', () => {
  test('analyze masks a malformed credential in text and JSON, and a credential in a misplaced config', async () => {
    const file = write('cred.yaml', `${plugin(`["${SECRET}!", "alice:${SECRET}", 12345]`)}---\n${plugin(`"bob:${SECRET}"`, 'string-creds')}`);
    const text = await cli('analyze', file);
    expect(text.out).toMatch(/BA006 .*credentials\[0\]: is neither "user:password" nor base64 the module decodes.*\(got "\*\*\* \(15 characters\)"\)/);
    expect(text.out).toMatch(/BA006 .*credentials\[2\]: must be a string, so the module rejects the whole config \(got "\*\*\* \(a number\)"\)/);
    expect(text.out).toMatch(/BA005 .*credentials: must be a list, so the module rejects the whole config \(got "bob:\*\*\*"\)/);
    const json = await cli('analyze', '--format', 'json', file);
    for (const out of [text.out, json.out]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain('12345');
    }
    expect(JSON.parse(json.out).findings.find((f: any) => f.code === 'BA006').value).toBe('"*** (15 characters)"');
  });

  test('the validation plugin reports the same masked values', async () => {
    const file = write('plugin/cred.yaml', plugin(`["${SECRET}"]`));
    const context = new ValidationContext([file], 'cdk8s-istio-ambient', '0.1.0', {}, false);
    (context.logger as any).log = jest.fn();
    await new IstioAmbientValidation().validate(context);
    const report = JSON.stringify(context.report.toJson());
    expect(report).toContain('*** (14 characters)');
    expect(report).not.toContain(SECRET);
  });

  test('simulate: the trace and the JSON show whose credential it is, never the credential, calls included', async () => {
    const runs = [
      ['-u', `admin3:${SECRET}`],
      ['-H', `Authorization: Basic ${Buffer.from(`admin3:${SECRET}`).toString('base64')}`],
      ['-H', `Authorization: Bearer ${SECRET}`],
    ];
    for (const args of runs) {
      for (const json of [[], ['--json']]) {
        const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', ...json, ...args, 'http://productpage:9080/productpage');
        expect(r.code).toBe(0);
        expect(r.out).not.toContain(SECRET);
        expect(r.out).not.toContain(Buffer.from(`admin3:${SECRET}`).toString('base64').slice(0, 12));
      }
    }
    const u = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', `http://alice:${SECRET}@productpage:9080/productpage`);
    expect(u.out).toMatch(/^request {6}GET http:\/\/alice:\*\*\*@productpage:9080\/productpage from default\/curl$/m);
    expect(u.out).toMatch(/^ {13}> Authorization: Basic base64\(alice:\*\*\*\)$/m);
    expect(u.out).toMatch(/credential base64\(alice:\*\*\*\) is not listed/);
    expect(u.out).not.toContain(SECRET);
  });

  test('simulate: errors about a credential never echo it', async () => {
    const noColon = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-u', SECRET, 'http://productpage:9080/');
    expect([noColon.code, noColon.err]).toEqual([2, 'error: user: must be "user:password" (got "*** (14 characters)", with no ":"); curl would prompt for the password, the simulator cannot\n']);
    const badHeader = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-H', `Authorization Basic ${SECRET}`, 'http://productpage:9080/');
    expect(badHeader.code).toBe(2);
    expect(badHeader.err).toMatch(/^error: header: must be "Name: value" with a token name \(got "Authorization: Basic \*\*\* \(14 characters\)"\)/);
    const badUrl = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', `ftp://alice:${SECRET}@x/`);
    expect(badUrl.err).toMatch(/^error: URL: scheme "ftp" is not http or https \(got "ftp:\/\/alice:\*\*\*@x\/"\)/);
    const batch = write('user-checks.yaml', `- {from: default/curl, url: "http://productpage:9080/", user: ${SECRET}, expect: 200}\n- {from: default/curl, url: "http://productpage:9080/", user: [${SECRET}], expect: 200}\n`);
    const b = await cli('simulate', '--manifests', DIST, '--requests', batch);
    expect(b.code).toBe(2);
    expect(b.err).not.toContain(SECRET);
    for (const args of [[], ['--json']]) {
      const ok = await cli('simulate', '--manifests', DIST, ...args, '--requests', write('ok-checks.yaml', `- {from: default/curl, url: "http://productpage:9080/productpage", user: "admin3:${SECRET}", expect: 200}\n`));
      expect(ok.out).not.toContain(SECRET);
    }
  });
});

describe('control characters are refused in simulate input, and escaped in every report', () => {
  test('a header value with CR/LF, or any control character, is exit 2 in one line', async () => {
    for (const value of ['a\r\nresult       200: fake', 'a\nb', 'a\u0000b', 'a\u001b[2Jb']) {
      const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-H', `X-Note: ${value}`, 'http://productpage:9080/productpage');
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.split('\n')).toHaveLength(2); // one line, then the final newline
      expect(r.err).toMatch(/^error: header X-Note: value holds the control character /);
    }
    // a tab is allowed in a header value (RFC 9110), and shown escaped
    const tab = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-H', 'X-Note: a\tb', 'http://productpage:9080/productpage');
    expect(tab.code).toBe(0);
    expect(tab.out).toContain('> X-Note: a\\tb');
  });

  test('a batch name, header, client or URL with a control character is exit 2 naming the entry', async () => {
    const entries: Array<[string, RegExp]> = [
      ['{name: "ok\\n1  401     401  ok      forged", from: default/curl, url: "http://productpage:9080/", expect: 401}', /requests\[0\]\.name: holds a control character \("\\n"\)/],
      ['{from: default/curl, url: "http://productpage:9080/", headers: {X-Note: "a\\r\\nb"}, expect: 401}', /requests\[0\]: header X-Note: value holds the control character "\\r"/],
      ['{from: "default/cu\\u001brl", url: "http://productpage:9080/", expect: 401}', /requests\[0\]: from: must be <namespace>\/<workload> .*without control characters \(got "default\/cu\\u001brl"\)/],
      ['{from: default/curl, url: "http://productpage:9080/\\u0007", expect: 401}', /requests\[0\]: URL: contains a control character \(got "http:\/\/productpage:9080\/\\u0007"\)/],
    ];
    for (const [entry, message] of entries) {
      const r = await cli('simulate', '--manifests', DIST, '--requests', write('checks.yaml', `- ${entry}\n`));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  test('a name from a manifest cannot forge a line of analyze or of the trace', async () => {
    const file = write('forged.yaml', plugin('["ok:test"]', 'x\nerror FAKE forged line\u001b[2J'));
    const r = await cli('analyze', file);
    expect(r.out).not.toMatch(/^error FAKE/m);
    expect(r.out).toContain('shop/x\\nerror FAKE forged line\\u001b[2J');
    for (const line of r.out.trimEnd().split('\n').slice(0, -1)) expect(line).toMatch(/^(error|warning) [A-Z]+\d* /);
  });
});

describe('empty input is said, not passed over', () => {
  test('simulate warns on stderr, naming the file; the trace is unchanged', async () => {
    const dir = path.join(tmp, 'with-empty');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    const r = await cli('simulate', '--manifests', DIST, '--manifests', dir, '--from', 'default/curl', 'http://productpage:9080/productpage');
    expect(r.code).toBe(0);
    expect(r.err).toBe(`warning LOAD ${path.join(dir, 'empty.yaml')}: the file is empty, so it holds no Kubernetes object\n`);
  });

  test('the validation plugin lists an empty manifest as a LOAD warning, failing only with failOn: warning', async () => {
    const file = write('plugin/empty.yaml', '---\n');
    const ns = write('plugin/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    for (const [props, status] of [[{}, 'success'], [{ failOn: 'warning' }, 'failure']] as const) {
      const context = new ValidationContext([file, ns], 'cdk8s-istio-ambient', '0.1.0', {}, false);
      (context.logger as any).log = jest.fn();
      await new IstioAmbientValidation(props).validate(context);
      const json = context.report.toJson();
      expect(json.summary.status).toBe(status);
      expect(json.violations.map((v: any) => [v.ruleName, v.recommendation])).toEqual([
        ['LOAD (warning): manifest holds no object', `${file}: holds no Kubernetes object (only comments and document markers)`],
      ]);
    }
    expect(() => new IstioAmbientValidation({ maxFileBytes: -1 })).toThrow(/properties\.maxFileBytes: must be a positive whole number of bytes \(got -1\)/);
  });
});

describe('IPv6 literals', () => {
  test('are parsed with their zone, in either spelling, and simulated as what they are: an IP address', async () => {
    expect(parseUrl('http://[fe80::1%eth0]/')).toMatchObject({ host: 'fe80::1', zone: 'eth0', port: 80, path: '/' });
    expect(parseUrl('http://[FE80::1%25eth0]:9080/x')).toMatchObject({ host: 'fe80::1', zone: 'eth0', port: 9080, explicitPort: true, path: '/x' });
    expect(parseUrl('http://[::1]:8080')).toMatchObject({ host: '::1', port: 8080, path: '/' });
    expect(parseUrl('http://[::ffff:10.0.0.1]/')).toMatchObject({ host: '::ffff:10.0.0.1' });
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', 'http://[fe80::1%eth0]:9080/');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^ {13}> Host: \[fe80::1\]:9080$/m);
    expect(r.out).toMatch(/^result {7}unknown: host fe80::1 is an IP address/m);
  });

  test('are refused clearly when malformed', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://[fe80::1/', /IPv6 literal without its closing "\]"/],
      ['http://[fe80::1]x/', /IPv6 literal without its closing "\]"/],
      ['http://[fe80::zz]/', /host "\[fe80::zz\]" is not an IPv6 address/],
      ['http://[v1.fe80::1]/', /is an IPvFuture literal/],
      ['http://[fe80::1%]/', /IPv6 zone "%" is empty or malformed/],
      ['http://[fe80::1%25]/', /IPv6 zone "%25" is empty or malformed/],
      ['http://fe80::1/', /host "fe80::1" looks like an IPv6 address without brackets/],
      ['http://[fe80::1]:99999/', /port "99999" is not a number from 1 to 65535/],
    ];
    for (const [url, message] of cases) expect(() => parseUrl(url)).toThrow(message);
  });
});
