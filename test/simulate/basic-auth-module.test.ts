// The basic_auth 1.12.0 check (SEMANTICS 6.2), rule by rule.
import { BODY_INVALID, BODY_NO_DATA, BasicAuthProgram, compileBasicAuth, runBasicAuth } from '../../src/simulate/basic-auth-module';
import { rule } from './helpers';

function program(config: any): BasicAuthProgram {
  const c = compileBasicAuth(config);
  if (!('program' in c)) throw new Error(`rejected: ${JSON.stringify(c.rejected)}`);
  return c.program;
}

const OK_TEST = 'Basic b2s6dGVzdA=='; // ok:test, as the module stores it
const req = (path: string, authorization?: string, method = 'GET', authority = 'productpage:9080') => ({ method, authority, path, authorization });
const seed = program({ basic_auth_rules: [rule({ prefix: '/productpage' }, ['ok:test', 'YWRtaW4zOmFkbWluMw=='])] });

describe('basic_auth credentials', () => {
  test('a user:password entry is stored as padded base64 and accepted as such', () => {
    expect(runBasicAuth(seed, req('/productpage', OK_TEST)).outcome).toBe('passed');
    expect(runBasicAuth(seed, req('/productpage', 'Basic YWRtaW4zOmFkbWluMw==')).outcome).toBe('passed');
  });

  test('fails with a wrong credential: 401 invalid credentials, realm istio unquoted', () => {
    const v = runBasicAuth(seed, req('/productpage', 'Basic d3Jvbmc6d3Jvbmc='));
    expect(v.outcome).toBe('denied');
    expect(v.rules[0].decision).toBe('invalid-credentials');
    expect(v.response).toEqual({ body: BODY_INVALID, headers: { 'WWW-Authenticate': 'Basic realm=istio' } });
  });

  test('fails without a header: 401 no basic auth data', () => {
    const v = runBasicAuth(seed, req('/productpage'));
    expect(v.response!.body).toBe(BODY_NO_DATA);
    expect(v.rules[0].detail).toMatch(/no Authorization header/);
  });

  test.each([
    ['lower-case scheme', 'basic b2s6dGVzdA==', 'no-basic-auth-data'],
    ['upper-case scheme', 'BASIC b2s6dGVzdA==', 'no-basic-auth-data'],
    ['another scheme', 'Bearer b2s6dGVzdA==', 'no-basic-auth-data'],
    ['two spaces', 'Basic  b2s6dGVzdA==', 'invalid-credentials'],
    ['unpadded base64 of a padded credential', 'Basic b2s6dGVzdA', 'invalid-credentials'],
    ['the plain user:password', 'Basic ok:test', 'invalid-credentials'],
  ])('fails with a differently written credential (%s): %s', (_what, header, decision) => {
    const v = runBasicAuth(seed, req('/productpage', header));
    expect(v.outcome).toBe('denied');
    expect(v.rules[0].decision).toBe(decision);
  });

  test('a base64 entry without a colon is stored as written: "test" matches only "Basic test"', () => {
    const p = program({ basic_auth_rules: [rule({ prefix: '/' }, ['test'])] });
    expect(runBasicAuth(p, req('/', 'Basic test')).outcome).toBe('passed');
    expect(runBasicAuth(p, req('/', 'Basic dGVzdA==')).outcome).toBe('denied');
  });

  test('a secret-store placeholder makes a credential that is not literally listed undecidable', () => {
    const p = program({ basic_auth_rules: [rule({ prefix: '/' }, ['ok:test', '<path:secret/data/shop#cred>'])] });
    expect(runBasicAuth(p, req('/', OK_TEST)).outcome).toBe('passed');
    expect(runBasicAuth(p, req('/', 'Basic other')).outcome).toBe('unknown');
  });
});

describe('basic_auth paths, methods and hosts', () => {
  test('a path outside every rule passes without looking at the header', () => {
    const v = runBasicAuth(seed, req('/reviews/1'));
    expect(v.outcome).toBe('passed');
    expect(v.rules[0].decision).toBe('path-mismatch');
  });

  test('prefix is a plain starts-with: /productpagex and /productpage?u=1 are guarded', () => {
    expect(runBasicAuth(seed, req('/productpagex')).outcome).toBe('denied');
    expect(runBasicAuth(seed, req('/productpage?u=1')).outcome).toBe('denied');
  });

  test('exact compares the path with its query string: /productpage?u=1 slips past exact /productpage', () => {
    const p = program({ basic_auth_rules: [rule({ exact: '/productpage' })] });
    expect(runBasicAuth(p, req('/productpage')).outcome).toBe('denied');
    expect(runBasicAuth(p, req('/productpage?u=1')).outcome).toBe('passed');
  });

  test('suffix matches the end of the path, query included', () => {
    const p = program({ basic_auth_rules: [rule({ suffix: '.json' })] });
    expect(runBasicAuth(p, req('/api/data.json')).outcome).toBe('denied');
    expect(runBasicAuth(p, req('/api/data.json?x=1')).outcome).toBe('passed');
  });

  test.each(['HEAD', 'PUT', 'DELETE', 'get'])('method %s, not listed, passes unchecked', (method) => {
    const v = runBasicAuth(seed, req('/productpage', undefined, method));
    expect(v.outcome).toBe('passed');
    expect(v.detail).toMatch(new RegExp(`no rule lists method ${method}`));
  });

  test('hosts: *x is a suffix, x* a prefix, otherwise exact; the port is stripped first', () => {
    const p = (hosts: string[]) => program({ basic_auth_rules: [rule({ prefix: '/' }, ['ok:test'], ['GET'], { hosts })] });
    expect(runBasicAuth(p(['*.example.com']), req('/', undefined, 'GET', 'shop.example.com:8080')).outcome).toBe('denied');
    expect(runBasicAuth(p(['*.example.com']), req('/', undefined, 'GET', 'example.org')).outcome).toBe('passed');
    expect(runBasicAuth(p(['api*']), req('/', undefined, 'GET', 'api.internal')).outcome).toBe('denied');
    expect(runBasicAuth(p(['productpage']), req('/', undefined, 'GET', 'productpage:9080')).outcome).toBe('denied');
    expect(runBasicAuth(p(['productpage']), req('/', undefined, 'GET', 'productpage.default')).outcome).toBe('passed');
    expect(runBasicAuth(p(['*']), req('/', undefined, 'GET', 'anything')).outcome).toBe('denied');
    const v = runBasicAuth(p(['*.example.com']), req('/', undefined, 'GET', 'example.org'));
    expect(v.rules[0].decision).toBe('host-mismatch');
  });

  test('every matching rule must accept the credential (AND): a credential listed only in the first is refused by the second', () => {
    const p = program({ basic_auth_rules: [rule({ prefix: '/api' }, ['ok:test']), rule({ prefix: '/api/admin' }, ['admin:admin'])] });
    const v = runBasicAuth(p, req('/api/admin/users', OK_TEST));
    expect(v.outcome).toBe('denied');
    expect(v.rules.map((r) => r.decision)).toEqual(['accepted', 'invalid-credentials']);
    expect(runBasicAuth(p, req('/api/items', OK_TEST)).outcome).toBe('passed');
  });

  test('rules after the refusing one are not reached', () => {
    const p = program({ basic_auth_rules: [rule({ prefix: '/' }), rule({ prefix: '/x' })] });
    expect(runBasicAuth(p, req('/x')).rules.map((r) => r.decision)).toEqual(['no-basic-auth-data', 'not-reached']);
  });

  test('a custom realm goes into WWW-Authenticate as is', () => {
    const p = program({ realm: 'shop area', basic_auth_rules: [rule({ prefix: '/' })] });
    expect(runBasicAuth(p, req('/')).response!.headers).toEqual({ 'WWW-Authenticate': 'Basic realm=shop area' });
  });
});

describe('basic_auth configuration', () => {
  test('an empty or absent pluginConfig gives no configuration: everything passes', () => {
    expect(runBasicAuth(program(undefined), req('/')).outcome).toBe('passed');
    expect(runBasicAuth(program({}), req('/')).outcome).toBe('passed');
  });

  test.each([
    ['two matchers', { basic_auth_rules: [rule({ prefix: '/', exact: '/' })] }],
    ['no methods', { basic_auth_rules: [rule({ prefix: '/' }, ['ok:test'], [])] }],
    ['a credential that is neither user:pass nor base64', { basic_auth_rules: [rule({ prefix: '/' }, ['admin'])] }],
    ['a realm that is not a string', { realm: 7, basic_auth_rules: [] }],
  ])('fails to configure with %s: the module rejects it', (_what, config) => {
    expect('rejected' in compileBasicAuth(config)).toBe(true);
  });

  test('an empty path matcher is kept: the module leaves its match type undefined, so the outcome is unknown', () => {
    const v = runBasicAuth(program({ basic_auth_rules: [rule({ prefix: '' })] }), req('/'));
    expect(v.outcome).toBe('unknown');
    expect(v.rules[0].decision).toBe('undecidable');
  });
});
