// simulate --requests FILE --format junit: one testcase per check, read back with a real XML parser.
import * as fs from 'fs';
import * as path from 'path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { cli, tmpDir } from '../support';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name) });

describe('simulate --format junit', () => {
  test('the seed checks: one passing testcase per check, with file and line', async () => {
    const r = await cli('simulate', '--manifests', 'dist', '--requests', 'examples/seed-checks.yaml', '--format', 'junit');
    expect(r.code).toBe(0);
    expect(XMLValidator.validate(r.out)).toBe(true);
    const doc = parser.parse(r.out);
    expect(doc.testsuites).toMatchObject({ tests: '7', failures: '0', errors: '0' });
    const cases = doc.testsuites.testsuite[0].testcase;
    expect(cases).toHaveLength(7);
    expect(cases[0]).toMatchObject({ name: 'gateway, no credentials', classname: 'examples/seed-checks.yaml', file: 'examples/seed-checks.yaml', line: '8' });
    expect(cases.every((c: any) => c.failure === undefined)).toBe(true);
  });

  test('a failing check carries the why in its message and the trace in its body, credentials masked', async () => {
    const dir = tmpDir('junit-');
    const file = path.join(dir, 'checks.yaml');
    fs.writeFileSync(file, [
      '- name: reviews is open <&> "quoted"', '  from: default/curl', '  url: http://reviews:9080/reviews/1', '  expect: 200',
      '- name: productpage with a wrong password', '  from: default/curl', '  url: http://reviews:9080/reviews/1', '  user: "admin3:wrong"', '  expect: 200',
      '- from: default/curl', '  url: http://productpage:9080/productpage', '  expect: 401', '',
    ].join('\n'));
    const r = await cli('simulate', '--manifests', 'dist', '--requests', file, '--format', 'junit');
    expect(r.code).toBe(1);
    const doc = parser.parse(r.out);
    expect(doc.testsuites).toMatchObject({ tests: '3', failures: '2' });
    const [open, wrong, ok] = doc.testsuites.testsuite[0].testcase;
    expect(open.name).toBe('reviews is open <&> "quoted"');
    expect(open.failure[0].type).toBe('StatusMismatch');
    expect(open.failure[0].message).toBe('expected 200, got 401: denied by WasmPlugin default/basic-auth-for-service at waypoint default/waypoint: rule 0 (prefix "/reviews"): no Authorization header');
    expect(open.failure[0]['#text']).toMatch(/^request {6}GET http:\/\/reviews:9080\/reviews\/1 from default\/curl\n/);
    expect(open.failure[0]['#text']).toMatch(/WasmPlugin default\/basic-auth-for-service/);
    const body: string = wrong.failure[0]['#text'];
    expect(body).toContain('Authorization: Basic base64(admin3:***)');
    expect(r.out).not.toContain(Buffer.from('admin3:wrong').toString('base64'));
    expect(r.out).not.toContain('admin3:wrong');
    expect(ok.name).toBe('GET http://productpage:9080/productpage from default/curl');
    expect(ok.failure).toBeUndefined();
  });

  test('fails with exit 2 when asked for junit without --requests', async () => {
    const r = await cli('simulate', '--manifests', 'dist', '--from', 'default/curl', '--format', 'junit', 'http://productpage:9080/');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--format junit: reports batch checks; use it with --requests <file>/);
  });
});
