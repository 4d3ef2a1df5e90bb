// The public API as a JavaScript or jsii user reaches it (props through `as any`): a wrong type or shape throws at
// construction one line naming the construct path (or the factory), the prop, the value and the fix; never a
// TypeError from deep inside, never a value taken silently, never a credential echoed.
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, FilterConfig, GitOpsApp, HttpBackend, HttpMethod,
  PathMatch, TrafficExtension, WasmPlugin, WasmSource, Waypoint,
} from '../../src';
import { checkMetadataMap } from '../../src/private/props';
import { tmpDir } from '../support';

const SECRET = 'Zs3cretPw';
const any = (v: unknown) => v as any;
const shop = () => new AmbientNamespace(Testing.app(), 'shop');
const source = () => WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');
const rule = () => new BasicAuthRule({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] });

/** The message `build` throws: an Error of ours (not a TypeError), one line, without the secret. */
function thrown(build: () => unknown): string {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(TypeError);
  const message = (error as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  expect(message).not.toContain(SECRET);
  return message;
}

describe('wrong types once made TypeErrors deep inside; now they name the path, the prop and the fix', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['WasmPlugin without props', () => new WasmPlugin(shop(), 'auth', any(undefined)),
      'WasmPlugin (shop/auth): props: are required (got nothing); pass { source: WasmSource.oci("ghcr.io/...:tag"), targets: [waypoint] }'],
    ['WasmPlugin without a source', () => new WasmPlugin(shop(), 'auth', any({})),
      'WasmPlugin (shop/auth): source: must be a WasmSource (got nothing); pass WasmSource.oci("ghcr.io/...:tag"), WasmSource.http(url), WasmSource.file(path) or WasmSource.fromUrl(url)'],
    ['WasmPlugin with a URL string as source', () => new WasmPlugin(shop(), 'auth', any({ source: 'oci://ghcr.io/x:1' })),
      'WasmPlugin (shop/auth): source: must be a WasmSource (got "oci://ghcr.io/x:1"); '],
    ['WasmPlugin with one target not in a list', () => { const ns = shop(); new WasmPlugin(ns, 'auth', any({ source: source(), targets: ns.addWaypoint() })); },
      'WasmPlugin (shop/auth): targets: must be a list, each entry a policy target (a Waypoint, an IngressGateway, or PolicyTarget.*()) (got a Waypoint); pass the construct itself'],
    ['WasmPlugin with a target name', () => new WasmPlugin(shop(), 'auth', any({ source: source(), targets: ['waypoint'] })),
      'WasmPlugin (shop/auth): targets[0]: must be a policy target (a Waypoint, an IngressGateway, or PolicyTarget.*()) (got "waypoint"); '],
    ['WasmPlugin.addTarget(undefined)', () => new WasmPlugin(shop(), 'auth', { source: source() }).addTarget(any(undefined)),
      'WasmPlugin (shop/auth): addTarget: target: must be a policy target'],
    ['BasicAuthPlugin with a rule as plain data', () => new BasicAuthPlugin(shop(), 'auth', any({ rules: [{ match: PathMatch.prefix('/') }] })),
      'BasicAuthPlugin (shop/auth): rules[0]: must be a BasicAuthRule (got {"match":{"type":"prefix","path":"/"}}); pass new BasicAuthRule({'],
    ['BasicAuthPlugin.addRule(undefined)', () => new BasicAuthPlugin(shop(), 'auth').addRule(any(undefined)),
      'BasicAuthPlugin (shop/auth): addRule: rule: must be a BasicAuthRule (got nothing)'],
    ['BasicAuthRule without props', () => new BasicAuthRule(any(undefined)), 'BasicAuthRule: props: are required (got nothing); pass new BasicAuthRule({'],
    ['AmbientNamespace.useWaypoint(undefined)', () => shop().useWaypoint(any(undefined)),
      'AmbientNamespace (shop): useWaypoint: waypoint: must be a Waypoint (got nothing); pass the Waypoint construct (addWaypoint() returns one), not its name'],
    ['WasmSource.oci(5)', () => WasmSource.oci(any(5)), 'WasmSource.oci: image: must be a string (got 5); pass the image as a string'],
    ['BasicAuthCredential.plain(undefined, pw)', () => BasicAuthCredential.plain(any(undefined), SECRET), 'BasicAuthCredential.plain: user: must be a string (got nothing); '],
    ['BasicAuthCredential.encoded(5)', () => BasicAuthCredential.encoded(any(5)), 'BasicAuthCredential.encoded: token: must be a string (got "*** (a number)"); '],
    ['HttpBackend.fromServiceName without options', () => HttpBackend.fromServiceName('productpage', any(undefined)),
      'HttpBackend "productpage": port: must be a Service port from 1 to 65535 (got undefined); pass the port the Service declares'],
    ['TrafficExtension without props', () => new TrafficExtension(shop(), 'ext', any(undefined)), 'TrafficExtension (shop/ext): props: are required (got nothing); '],
    ['TrafficExtension without a filterConfig', () => new TrafficExtension(shop(), 'ext', any({ targets: [] })),
      'TrafficExtension (shop/ext): filterConfig: must be a FilterConfig (got nothing); pass FilterConfig.wasm(WasmSource.oci("...")) or FilterConfig.lua(code)'],
    ['FilterConfig.wasm(undefined)', () => FilterConfig.wasm(any(undefined)), 'FilterConfig.wasm: source: must be a WasmSource (got nothing); '],
  ];
  test.each(cases)('%s', (_name, build, start) => {
    expect(thrown(build).startsWith(start)).toBe(true);
  });
});

describe('wrong types once passed silently into the manifests; now they are refused', () => {
  const cases: Array<[string, () => unknown, string]> = [
    // methods: "GET" was read letter by letter: request_methods ["G", "E", "T"]
    ['rule methods as a string', () => new BasicAuthRule(any({ match: PathMatch.prefix('/'), methods: 'GET', credentials: [BasicAuthCredential.plain('a', 'b')] })),
      'BasicAuthRule: methods: must be a list, each entry an HttpMethod (got "GET"); pass methods: [HttpMethod.GET, HttpMethod.POST]'],
    ['rule hosts as a string', () => new BasicAuthRule(any({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('a', 'b')], hosts: 'x' })),
      'BasicAuthRule: hosts: must be a list, each entry a host pattern string (got "x"); '],
    ['rule match as a path string', () => new BasicAuthRule(any({ match: '/', methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('a', 'b')] })),
      'BasicAuthRule: match: must be a PathMatch (got "/"); pass PathMatch.prefix("/productpage")'],
    // a number password was rendered "a:5"
    ['a number password', () => BasicAuthCredential.plain('a', any(5)), 'BasicAuthCredential.plain: password: must be a string (got "*** (a number)"); '],
    ['PathMatch.prefix(5)', () => PathMatch.prefix(any(5)), 'PathMatch.prefix: path: must be a string (got 5); '],
    ['HttpMethod.of(5)', () => HttpMethod.of(any(5)), 'HttpMethod.of: value: must be a string (got 5); '],
    ['BasicAuthCredential.vault(5, 6)', () => BasicAuthCredential.vault(any(5), any(6)), 'BasicAuthCredential.vault: path: must be a string (got 5); '],
    ['pluginConfig as a string', () => new WasmPlugin(shop(), 'auth', { source: source(), pluginConfig: any('x') }),
      'WasmPlugin (shop/auth): pluginConfig: must be an object (the API server takes a map here) (got "x"); '],
    ['pluginConfig with a cycle (was a stack overflow at synth)', () => { const c: any = {}; c.self = c; new WasmPlugin(shop(), 'auth', { source: source(), pluginConfig: c }); },
      'WasmPlugin (shop/auth): pluginConfig: holds a cycle (an object that contains itself), so it cannot be written as YAML; '],
    ['selector as a string', () => new WasmPlugin(shop(), 'auth', { source: source(), selector: any('app=x') }), 'WasmPlugin (shop/auth): selector: must be an object of strings (got "app=x"); '],
    ['env as a string', () => new WasmPlugin(shop(), 'auth', { source: source(), env: any('X=1') }), 'WasmPlugin (shop/auth): env: must be a list, each entry an object { name, value } (got "X=1"); '],
    ['namespace labels as a string', () => new AmbientNamespace(Testing.app(), 'shop', any({ labels: 'team=cart' })), 'AmbientNamespace (shop): labels: must be an object of strings (got "team=cart"); '],
    ['a label value that is a number', () => new AmbientNamespace(Testing.app(), 'shop', any({ labels: { tier: 1 } })), 'AmbientNamespace (shop): labels["tier"]: must be a string (got 1); quote the value, e.g. "1"'],
    ['a label key with a space', () => new AmbientNamespace(Testing.app(), 'shop', { labels: { 'my team': 'cart' } }), 'AmbientNamespace (shop): labels["my team"]: the key has a name part that is not'],
    ['a label value too long', () => new WasmPlugin(shop(), 'auth', { source: source(), labels: { tier: 'a'.repeat(64) } }), 'WasmPlugin (shop/auth): labels["tier"]: is not a label value'],
    ['ingressUseWaypoint as a string', () => new AmbientNamespace(Testing.app(), 'shop', any({ ingressUseWaypoint: 'yes' })),
      'AmbientNamespace (shop): ingressUseWaypoint: must be true or false (got "yes"); '],
    ['useWaypoint with a name', () => shop().useWaypoint(any('waypoint')), 'AmbientNamespace (shop): useWaypoint: waypoint: must be a Waypoint (got "waypoint"); '],
    ['allowedNamespaces not one of the enum', () => shop().addWaypoint('Waypoint', { allowedNamespaces: any('Everyone') }),
      'Waypoint (shop/Waypoint): allowedNamespaces: must be one of WaypointNamespaces.SAME, WaypointNamespaces.ALL (got "Everyone"); '],
    ['GitOpsApp outdir ""', () => new GitOpsApp({ outdir: '' }), 'GitOpsApp: outdir: must be the path of the output folder (got ""); pass e.g. outdir: "dist"'],
    ['GitOpsApp props as a string', () => new GitOpsApp(any('dist')), 'GitOpsApp: props: must be an object of props (got "dist"); '],
  ];
  test.each(cases)('%s', (_name, build, start) => {
    expect(thrown(build).startsWith(start)).toBe(true);
  });

  test('what a JavaScript user may pass as is still works: an enum value as its string, no props at all', () => {
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop', any(null));
    const waypoint = ns.addWaypoint('Waypoint', { allowedNamespaces: any('All') });
    new Waypoint(new Chart(app, 'other'), 'w', any(null));
    new BasicAuthPlugin(ns, 'auth', { targets: [waypoint], rules: [rule()] });
    const gateway = Testing.synth(ns).find((o: any) => o.kind === 'Gateway');
    expect(gateway.spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'All' } });
  });
});

describe('credentials are not echoed by construct errors, and not written into Git', () => {
  test('a user name holding "user:password", a non-http URL with a password, a credential of the wrong type', () => {
    expect(thrown(() => BasicAuthCredential.plain(`alice:${SECRET}`, SECRET))).toBe(
      'BA006 BasicAuthCredential.plain: user: must be non-empty and contain no ":" (got "alice:***"); pick a user name without ":" (RFC 7617)');
    expect(thrown(() => WasmSource.http(`ftp://alice:${SECRET}@example.com/p.wasm`))).toContain('(got "ftp://alice:***@example.com/p.wasm")');
    expect(thrown(() => WasmSource.fromUrl(`alice:${SECRET}@ghcr.io/x:1`))).toContain('(got "alice:***@ghcr.io/x:1")');
    expect(thrown(() => new BasicAuthRule(any({ match: PathMatch.prefix('/'), methods: [HttpMethod.GET], credentials: [`alice:${SECRET}`] })))).toBe(
      'BasicAuthRule: credentials[0]: must be a BasicAuthCredential (got "alice:***"); pass BasicAuthCredential.plain(user, password), .encoded(token), .fromEnv(variable) or .vault(path, key)');
    expect(thrown(() => BasicAuthCredential.plain('alice', any([SECRET])))).toContain('(got "*** (a list)")');
  });

  test('argoCd.repoUrl with a password or token is refused (it was written into the ApplicationSet); ssh://git@ is a user name and stays', () => {
    const outdir = tmpDir('props-audit-');
    try {
      for (const repoUrl of [`https://alice:${SECRET}@github.com/org/repo.git`, `https://${SECRET}@github.com/org/repo.git`, `ssh://git:${SECRET}@github.com/org/repo.git`]) {
        expect(thrown(() => new GitOpsApp({ outdir, argoCd: { repoUrl } }))).toMatch(
          /^GitOpsApp: argoCd\.repoUrl: holds a credential, which would be written into the Application and so into Git \(got "(https|ssh):\/\/(alice:|git:)?\*\*\*@github\.com\/org\/repo\.git"\); drop it from the URL and give Argo CD the credential as a repository Secret/);
      }
      const app = new GitOpsApp({ outdir, argoCd: { repoUrl: 'ssh://git@github.com/org/repo.git' } });
      new AmbientNamespace(app, 'shop');
      app.synth();
      const written = fs.readdirSync(path.join(outdir, 'argocd')).map((f) => fs.readFileSync(path.join(outdir, 'argocd', f), 'utf8')).join('');
      expect(written).toContain('repoURL: ssh://git@github.com/org/repo.git');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('label maps are checked as the API server checks them', () => {
  // apimachinery v0.28.0 pkg/util/validation/validation.go: IsQualifiedName (keys), IsValidLabelValue (values)
  const where = 'AmbientNamespace (shop)';
  const ok = (labels: Record<string, string>) => expect(() => checkMetadataMap(where, 'labels', labels)).not.toThrow();
  const bad = (labels: Record<string, string>) => expect(() => checkMetadataMap(where, 'labels', labels)).toThrow(/^AmbientNamespace \(shop\): labels\[/);

  test('the cases of IsQualifiedName and IsValidLabelValue', () => {
    ok({ 'simple': '', 'now-with-dashes': 'a', '1-starts-with-num': '1', 'example.com/MixedCase': 'Mixed_Case.1', 'a/b': 'x'.repeat(63) });
    bad({ 'nospecialchars%^=@': 'x' });
    bad({ '-starts-with-dash': 'x' });
    bad({ 'ends-with-dash-': 'x' });
    bad({ 'Upper.example.com/x': 'x' });
    bad({ 'a/b/c': 'x' });
    bad({ '/x': 'x' });
    bad({ [`${'a'.repeat(64)}`]: 'x' });
    bad({ ok: 'x'.repeat(64) });
    bad({ ok: 'has space' });
    // annotations: any string value, the same key rule
    expect(() => checkMetadataMap(where, 'annotations', { 'example.com/note': 'any text, even\nlines' })).not.toThrow();
    expect(() => checkMetadataMap(where, 'annotations', { 'bad key': 'x' })).toThrow(/annotations\["bad key"\]/);
  });

  test('property: a key of a name part of the label alphabet is taken; one with a character outside it is refused', () => {
    const alnum = fc.constantFrom(...'abcXYZ019'.split(''));
    const inner = fc.array(fc.constantFrom(...'aZ9-_.'.split('')), { maxLength: 20 }).map((a) => a.join(''));
    const name = fc.tuple(alnum, inner, alnum).map(([a, b, c]) => `${a}${b}${c}`);
    fc.assert(fc.property(name, (n) => ok({ [n]: n })));
    fc.assert(fc.property(name, fc.constantFrom(' ', '%', '@', '=', ':', '\n'), (n, c) => bad({ [`${n}${c}${n}`]: 'x' })));
  });
});
