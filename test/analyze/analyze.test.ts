import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Testing, Yaml } from 'cdk8s';
import { analyzePaths, compareFindings, exitCodeOf, parseOrigin } from '../../src/analyze';
import { AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, HttpMethod, PathMatch, PolicyTarget, ServiceReference } from '../../src';
import { Finding, FixWording, Severity, formatFinding, formatFindingIn } from '../../src/rules';

const ROOT = path.join(__dirname, '..', '..');

/** What follows the origin: `<field>: <message> (got <value>); <fix>`. */
function afterOrigin(line: string): string {
  return line.slice(line.indexOf('): ') + 3);
}

describe('analyze', () => {
  test('one rule, one message, two callers: synth fails and analyze reports the same code and text', () => {
    // GIVEN an auth plugin on a Service that no waypoint serves (only the finished tree shows it)
    const app = Testing.app();
    const ns = new AmbientNamespace(app, 'shop');
    const cart = new ApiObject(ns, 'Cart', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' }, spec: { ports: [{ port: 80 }] } });
    new BasicAuthPlugin(ns, 'CartAuth', {
      name: 'cart-auth', targets: [PolicyTarget.fromService(ServiceReference.fromApiObject(cart))],
      rules: [new BasicAuthRule({ match: PathMatch.prefix('/cart'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] })],
    });

    // WHEN synthesized
    let synthError = '';
    try {
      app.synth();
    } catch (e) {
      synthError = (e as Error).message;
    }
    const synthLine = synthError.split('\n').find((l) => l.includes(' WASM009 '));
    expect(synthLine).toBeDefined();
    expect(synthLine).toMatch(/^\s*\[shop\/CartAuth\] WASM009 WasmPlugin shop\/cart-auth \(shop\/CartAuth\): spec\.targetRefs\[0\]\.name: /);

    // AND the same objects are written as YAML (rendered one by one: Testing.synth would validate and throw) and analyzed
    const manifests = ns.node.findAll().filter(ApiObject.isApiObject).map((o) => o.toJson());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'two-callers-'));
    const file = path.join(dir, 'shop.yaml');
    fs.writeFileSync(file, Yaml.stringify(...manifests));
    const result = analyzePaths([file]);

    // THEN analyze reports the same finding: code, object, field, message, value; the origin differs, and the fix is
    // in each caller's words (the construct API at synth, YAML labels in analyze), both carried by the one finding
    const hits = result.findings.filter((f) => f.code === 'WASM009');
    expect(hits).toHaveLength(1);
    expect(hits[0].origin).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+$`));
    expect(formatFinding(hits[0]).startsWith('WASM009 WasmPlugin shop/cart-auth (')).toBe(true);
    expect(afterOrigin(formatFindingIn(hits[0], FixWording.CONSTRUCT))).toBe(afterOrigin(synthLine!.trim()));
    expect(synthLine).toMatch(/; give AmbientNamespace shop a waypoint \(addWaypoint\(\), or useWaypoint\(\) for a shared one\), or bind the Service with Waypoint\.bindService\(\)$/);
    expect(formatFinding(hits[0])).toMatch(/; label the Service or its Namespace with istio\.io\/use-waypoint: <waypoint>$/);
    expect(exitCodeOf(result)).toBe(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the project's dist/ analyzes clean, whatever its layout", () => {
    const result = analyzePaths([path.join(ROOT, 'dist')]);
    expect(result.loadErrors).toEqual([]);
    // no error; the only warnings are the Istio docs' demo credentials the seed keeps in plain text
    expect(result.findings.filter((f) => f.code !== 'BA011').map(formatFinding)).toEqual([]);
    expect(result.findings.map((f) => `${f.code} ${f.name}`)).toEqual(
      ['BA011 basic-auth-at-gateway', 'BA011 basic-auth-at-waypoint', 'BA011 basic-auth-for-service']);
    expect(result.summary.objects).toBeGreaterThan(0);
    expect(exitCodeOf(result)).toBe(0);
  });

  test('findings sort by file, line, List item, then code', () => {
    const f = (origin: string, code: string): Finding => ({ code, severity: Severity.ERROR, kind: 'K', namespace: 'n', name: 'x', origin, field: 'f', message: 'm', value: '1', fix: 'x' });
    const sorted = [f('b.yaml:1', 'A'), f('a.yaml:10', 'A'), f('a.yaml:9', 'B'), f('a.yaml:9', 'A'), f('a.yaml:9#items[1]', 'A'), f('a.yaml:9#items[0]', 'Z')].sort(compareFindings);
    expect(sorted.map((x) => `${x.origin} ${x.code}`)).toEqual(['a.yaml:9 A', 'a.yaml:9 B', 'a.yaml:9#items[0] Z', 'a.yaml:9#items[1] A', 'a.yaml:10 A', 'b.yaml:1 A']);
    expect(parseOrigin('shop/CartAuth')).toEqual({ file: 'shop/CartAuth', line: 0, item: -1 });
  });
});
