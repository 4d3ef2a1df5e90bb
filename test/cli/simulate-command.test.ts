// `cdk8s-istio-ambient simulate`: the last-line contract, exit codes 0/1/2/3, --json, and batch mode.
import * as fs from 'fs';
import * as path from 'path';
import { CliRun, cli as capture, tmpDir, writeFiles } from '../support';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const CHECKS = path.join(ROOT, 'examples', 'seed-checks.yaml');
const GATEWAY_URL = 'http://bookinfo-gateway-istio.default.svc.cluster.local/productpage';

/** A CLI run and the last line of its stdout (where simulate prints the status alone). */
async function cli(...argv: string[]): Promise<CliRun & { last: string }> {
  const r = await capture(...argv);
  const lines = r.out.trimEnd().split('\n');
  return { ...r, last: lines[lines.length - 1] };
}

let tmp: string;
beforeAll(() => { tmp = tmpDir('simulate-cli-'); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => path.join(writeFiles(tmp, { [name]: text }), name);

describe('simulate: one request', () => {
  test('--connect-to as curl: the URL host stays for Host (and SNI), the connection goes elsewhere; a malformed one is bad input', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '--connect-to', 'shop.example.com:80:bookinfo-gateway-istio.default:80', '-u', 'ok:test', 'http://shop.example.com/productpage');
    expect(r.out).toMatch(/^resolve {6}curl --connect-to shop.example.com:80:bookinfo-gateway-istio.default:80: connects to bookinfo-gateway-istio.default:80; /m);
    expect(r.out).toMatch(/^ {13}> Host: shop.example.com$/m);
    expect(r.last).toBe('200');
    const bad = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '--connect-to', 'x:80', 'http://x/');
    expect([bad.code, bad.err]).toEqual([2, 'error: connect-to: must be HOST1:PORT1:HOST2:PORT2, parts may be empty (got "x:80"); e.g. --connect-to shop.example.com:443:web-istio.shop:443\n']);
  });

  test('prints the path and plugins, then the status alone on the last line; exit 0 whatever the status', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', GATEWAY_URL);
    expect(r.code).toBe(0);
    expect(r.last).toBe('401');
    expect(r.out).toMatch(/^waypoint {5}default\/waypoint, HTTP chain for Service default\/bookinfo-gateway-istio/m);
    expect(r.out).toMatch(/rule 0 prefix "\/productpage" \[GET POST\]: no-basic-auth-data/);
    expect(r.out).toMatch(/^header {7}WWW-Authenticate: Basic realm=istio$/m);
    expect(r.err).toBe('');
  });

  test('-H and -u send the credential as curl would; -s -o -w from a pasted curl line are accepted', async () => {
    expect((await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-H', 'Authorization: Basic YWRtaW4zOmFkbWluMw==', GATEWAY_URL)).last).toBe('200');
    const u = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-u', 'ok:test', 'http://reviews:9080/reviews/1');
    expect(u.last).toBe('200');
    // the trace shows whose credential it is, never the credential
    expect(u.out).toContain('> Authorization: Basic base64(ok:***)');
    expect(u.out).not.toMatch(/b2s6dGVzdA|ok:test/);
    const pasted = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-s', '-w', '%{http_code}', '-o', '/dev/null', 'http://reviews:9080/reviews/1');
    expect([pasted.code, pasted.last]).toEqual([0, '401']);
  });

  test('"Name:" with no value drops the header, as in curl', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-u', 'ok:test', '-H', 'Authorization:', 'http://reviews:9080/reviews/1');
    expect(r.last).toBe('401');
  });

  test('the same header twice is sent twice; the module reads the first Authorization, and the trace says so', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-H', 'Authorization: Basic b2s6dGVzdA==', '-H', 'Authorization: Basic eA==', 'http://reviews:9080/reviews/1');
    expect(r.last).toBe('200');
    expect(r.out).toMatch(/^note {9}several Authorization headers: the module reads the first \(inferred/m);
  });

  test('-X sets the method: a method no rule lists passes', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '-X', 'HEAD', 'http://reviews:9080/reviews/1');
    expect([r.code, r.last]).toEqual([0, '200']);
  });

  test('--json prints one JSON object with the same result', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', '--json', '-H', 'Authorization: Basic YWRtaW4zOmFkbWluMw==', 'http://productpage:9080/productpage');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.status).toBe(200);
    expect(result.hops.map((h: any) => h.kind)).toEqual(['client', 'resolve', 'ztunnel', 'waypoint', 'destination']);
    expect(result.subRequests[1].effect).toContain('Sorry, product reviews are currently unavailable for this book.');
    // masked in the JSON too, the calls productpage makes included
    expect(result.request.headers).toContainEqual(['Authorization', 'Basic base64(admin3:***)']);
    expect(r.out).not.toMatch(/YWRtaW4zOmFkbWluMw|admin3:admin3/);
  });

  test('exit 3 and "unknown" on the last line when the manifests do not decide', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--from', 'default/curl', 'http://ratings.elsewhere:9080/');
    expect([r.code, r.last]).toEqual([3, 'unknown']);
    expect(r.out).toMatch(/^result {7}unknown: host ratings.elsewhere is not among the manifests/m);
    const plain = write('plain/app.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: plain}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: box, namespace: plain}\nspec: {containers: [{name: c, image: x}]}\n');
    const u = await cli('simulate', '--manifests', DIST, '--manifests', plain, '--from', 'plain/box', 'http://productpage.default:9080/productpage');
    expect([u.code, u.last]).toEqual([3, 'unknown']);
    expect(u.out).toMatch(/not in the ambient mesh/);
  });

  test.each([
    ['no --manifests', ['--from', 'default/curl', GATEWAY_URL], /^error: manifests: no path given; pass --manifests/],
    ['no --from', ['--manifests', DIST, GATEWAY_URL], /^error: --from: missing/],
    ['no URL', ['--manifests', DIST, '--from', 'default/curl'], /^error: URL: missing/],
    ['a malformed --from', ['--manifests', DIST, '--from', 'curl', GATEWAY_URL], /^error: from: must be <namespace>\/<workload>/],
    ['a bad port', ['--manifests', DIST, '--from', 'default/curl', 'http://reviews:0/'], /^error: URL: port "0" is not a number from 1 to 65535/],
    ['a header without a colon', ['--manifests', DIST, '--from', 'default/curl', '-H', 'Authorization Basic x', GATEWAY_URL], /^error: header: must be "Name: value"/],
    ['an unknown flag', ['--manifests', DIST, '--from', 'default/curl', '--frobnicate', GATEWAY_URL], /^error: unknown option '--frobnicate'/],
    ['a client that does not exist', ['--manifests', DIST, '--from', 'default/nope', GATEWAY_URL], /^error: from: no Deployment, .* named nope in namespace default among the manifests \(got "default\/nope"\); name a workload/],
    ['a client typo', ['--manifests', DIST, '--from', 'default/curll', GATEWAY_URL], /^error: from: .*\(got "default\/curll"\); did you mean "default\/curl"\? /],
    ['a missing manifests folder', ['--manifests', '/no/such/dir', '--from', 'default/curl', GATEWAY_URL], /^error: manifests: \/no\/such\/dir: no such file or directory/],
  ])('exit 2 with a one-line error for bad input: %s', async (_what, args, message) => {
    const r = await cli('simulate', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
  });

  test('exit 2 for malformed manifests, naming file and line', async () => {
    const bad = write('bad/broken.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: [unclosed\n');
    const r = await cli('simulate', '--manifests', bad, '--from', 'default/curl', GATEWAY_URL);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^error: manifests: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: `));
  });
});

describe('simulate --requests (batch mode)', () => {
  test('the seed checks all pass against dist/: a table, exit 0', async () => {
    const r = await cli('simulate', '--manifests', DIST, '--requests', CHECKS);
    expect(r.code).toBe(0);
    expect(r.last).toBe('all 7 checks passed');
    expect(r.out).toMatch(/^1 {2}401 {5}401 {2}ok +gateway, no credentials/m);
  });

  test('exit 1 and a diff table with the reason when a request gets another status', async () => {
    const file = write('checks.yaml', [
      '- {name: reviews open?, from: default/curl, url: "http://reviews:9080/reviews/1", expect: 200}',
      '- from: default/curl',
      '  url: http://productpage:9080/productpage',
      '  headers: ["Authorization: Basic YWRtaW4zOmFkbWluMw=="]',
      '  expect: 200',
      '',
    ].join('\n'));
    const r = await cli('simulate', '--manifests', DIST, '--requests', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^1 {2}200 {5}401 {2}FAIL +reviews open\? \(/m);
    expect(r.out).toMatch(/why: denied by WasmPlugin default\/basic-auth-for-service at waypoint default\/waypoint/);
    expect(r.out).toMatch(/^2 {2}200 {5}200 {2}ok +GET http:\/\/productpage:9080\/productpage/m);
    expect(r.last).toBe('1 of 2 checks failed');
  });

  test('--json gives the batch as one object; --from fills in checks that name no client', async () => {
    const file = write('noclient.yaml', '- url: http://reviews:9080/reviews/1\n  user: ok:test\n  expect: 200\n');
    const r = await cli('simulate', '--manifests', DIST, '--requests', file, '--from', 'default/curl', '--json');
    expect(r.code).toBe(0);
    const batch = JSON.parse(r.out);
    expect([batch.passed, batch.failed, batch.results[0].result.status]).toEqual([1, 0, 200]);
  });

  test.each([
    ['- {from: default/curl, url: "http://x/", expect: 4011}\n', /requests\[0\]\.expect: must be an HTTP status code or "unknown" \(got 4011\)/],
    ['- {from: default/curl, url: "http://x/", expected: 401}\n', /requests\[0\]: unknown field "expected"/],
    ['- {from: default/curl, expect: 401}\n', /requests\[0\]\.url: is required/],
    ['- {from: default/curl, url: "http://x:99999/", expect: 401}\n', /:1: requests\[0\]: URL: port "99999"/],
    ['from: default/curl\n', /must be a YAML list of requests/],
  ])('exit 2 for a malformed batch file, with file:line: %j', async (text, message) => {
    const file = write('bad-checks.yaml', text);
    const r = await cli('simulate', '--manifests', DIST, '--requests', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('bad-checks.yaml:');
  });

  test('exit 2 when a URL or -H is mixed with --requests', async () => {
    expect((await cli('simulate', '--manifests', DIST, '--requests', CHECKS, GATEWAY_URL)).code).toBe(2);
    expect((await cli('simulate', '--manifests', DIST, '--requests', CHECKS, '-u', 'ok:test')).code).toBe(2);
  });
});
