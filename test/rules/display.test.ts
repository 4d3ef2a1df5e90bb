// One masking function for every credential shown, anywhere; control characters escaped wherever input is echoed.
import * as fc from 'fast-check';
import {
  escapeControls, findControlCharacter, maskAuthorization, maskBareUrl, maskCredential, maskHeaderValue, maskUrl, quote, redactSecrets, showValue,
} from '../../src/rules';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
// printable, no ":" (a user name), at least one character
const user = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[\x21-\x39\x3b-\x7e]+$/.test(s));
const password = fc.string({ minLength: 4, maxLength: 24 }).filter((s) => /^[\x21-\x7e]+$/.test(s));

describe('maskCredential', () => {
  test('keeps what tells entries apart, never a password or a token', () => {
    expect(maskCredential('alice:S3cretPassw0rd')).toBe('alice:***');
    expect(maskCredential(b64('admin3:admin3'))).toBe('base64(admin3:***)');
    expect(maskCredential('YWRtaW4zOmFkbWluMw')).toBe('base64(admin3:***)'); // padding left out
    expect(maskCredential('S3cretPassw0rd!')).toBe('*** (15 characters)');
    expect(maskCredential('<path:secret/data/shop#auth>')).toBe('<path:secret/data/shop#auth>'); // a reference, not a secret
    expect(maskCredential(12345)).toBe('*** (a number)');
    expect(maskCredential({ user: 'a', pass: 'b' })).toBe('*** (a map)');
    expect(maskCredential(['a:b'])).toBe('*** (a list)');
    expect(maskCredential(undefined)).toBe('*** (nothing)');
  });

  test('user:password, its base64, or anything else: the password and the token never appear', () => {
    fc.assert(fc.property(user, password, (u, p) => {
      // exactly the user and the mask: a password that is part of the user name (u "ueOf!", p "ueOf") shows only
      // as part of the user, which "not.toContain(p)" would take for a leak
      expect(maskCredential(`${u}:${p}`)).toBe(`${u}:***`);
      expect(maskCredential(b64(`${u}:${p}`))).toBe(`base64(${u}:***)`);
      expect(maskAuthorization(`Basic ${b64(`${u}:${p}`)}`)).toBe(`Basic base64(${u}:***)`);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ minLength: 3, maxLength: 40 }).filter((s) => !s.includes(':') && !s.startsWith('<path:')), (s) => {
      const shown = maskCredential(s);
      if (!shown.startsWith('base64(')) expect(shown).toBe(`*** (${s.length} characters)`);
    }));
  });

  test('headers: the scheme stays, the credentials go; cookies and keys are masked whole; others are kept', () => {
    expect(maskAuthorization('Basic YWRtaW4zOmFkbWluMw==')).toBe('Basic base64(admin3:***)');
    expect(maskAuthorization('Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe('Bearer *** (28 characters)');
    expect(maskAuthorization('basic YWRtaW4zOmFkbWluMw==')).toBe('basic base64(admin3:***)');
    expect(maskHeaderValue('Proxy-Authorization', 'Basic b2s6dGVzdA==')).toBe('Basic base64(ok:***)');
    expect(maskHeaderValue('Cookie', 'session=abc:def')).toBe('*** (15 characters)');
    expect(maskHeaderValue('X-Request-Id', 'abc')).toBe('abc');
  });

  test('URLs: the password in the userinfo is masked, a lone user part too', () => {
    expect(maskUrl('http://alice:S3cret@productpage:9080/x')).toBe('http://alice:***@productpage:9080/x');
    expect(maskUrl('https://ghp_0123456789abcdef@github.com/org/repo.git')).toBe('https://***@github.com/org/repo.git');
    expect(maskUrl('http://productpage:9080/a@b')).toBe('http://productpage:9080/a@b');
    // userinfo characters as RFC 3986 allows them unencoded
    const part = (min: number) => fc.string({ minLength: min, maxLength: 16 }).filter((s) => /^[A-Za-z0-9._~!$&'()*+,;=-]+$/.test(s));
    fc.assert(fc.property(part(1), part(4), (u, p) => {
      expect(maskUrl(`https://${u}:${p}@git.example.com/r.git`)).toBe(`https://${u}:***@git.example.com/r.git`);
    }));
  });

  test('a URL known to be one is masked without a scheme too; maskUrl leaves such strings (an image tag@digest) alone', () => {
    expect(maskBareUrl('alice:S3cret@productpage:9080/x')).toBe('alice:***@productpage:9080/x');
    expect(maskBareUrl('http://alice:S3cret@productpage:9080/x')).toBe('http://alice:***@productpage:9080/x');
    expect(maskBareUrl('productpage:9080/a@b')).toBe('productpage:9080/a@b');
    expect(maskUrl('nginx:1.25@sha256:0123')).toBe('nginx:1.25@sha256:0123');
    const part = (min: number) => fc.string({ minLength: min, maxLength: 16 }).filter((s) => /^[A-Za-z0-9._~!$&'()*+,;=-]+$/.test(s));
    fc.assert(fc.property(part(1), part(4), fc.constantFrom('', 'http://', 'HTTPS://'), (u, p, scheme) => {
      expect(maskBareUrl(`${scheme}${u}:${p}@productpage:9080/x`)).toBe(`${scheme}${u}:***@productpage:9080/x`);
    }));
  });

  test('showValue masks credentials wherever they sit in a value, whatever the rule passed', () => {
    const config = { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test', 'YWRtaW4zOmFkbWluMw==', 42] }] };
    expect(showValue(config)).toBe('{"basic_auth_rules":[{"prefix":"/","request_methods":["GET"],"credentials":["ok:***","base64(admin3:***)","*** (a number)"]}]}');
    expect(showValue({ credentials: 'alice:secret' })).toBe('{"credentials":"alice:***"}');
    expect(showValue({ kind: 'Secret', data: { password: 'cGFzcw==' } })).toBe('{"kind":"Secret","data":{"password":"***"}}');
    expect(showValue({ repoURL: 'https://u:tok@git.example.com/x.git', password: 'hunter22' })).toBe('{"repoURL":"https://u:***@git.example.com/x.git","password":"*** (8 characters)"}');
    expect(showValue('line\nforged')).toBe('"line\\nforged"');
    expect(showValue('\u009b31m')).toBe('"\\u009b31m"');
    // a large value is copied only as far as shown
    expect(JSON.stringify(redactSecrets(Array(100_000).fill('x'))).length).toBeLessThan(20_000);
  });
});

describe('escapeControls', () => {
  test('every control character becomes an escape, so echoed text stays on its line', () => {
    expect(escapeControls('a\r\nresult 200: fake')).toBe('a\\r\\nresult 200: fake');
    expect(escapeControls('\u001b[31mred\u007f\u202e')).toBe('\\u001b[31mred\\u007f\\u202e');
    expect(quote('a\u0085b')).toBe('"a\\u0085b"');
    const controls = fc.constantFrom(...'\u0000\u0007\t\n\r\u001b\u007f\u0085\u009b\u2028\u2029\u202e'.split(''));
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 5 }), controls), { maxLength: 20 }), (parts) => {
      expect(escapeControls(parts.join(''))).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
    }));
  });

  test('findControlCharacter allows a tab only where HTTP does', () => {
    expect(findControlCharacter('a\tb', { allowTab: true })).toBeUndefined();
    expect(findControlCharacter('a\tb')).toBe('\t');
    expect(findControlCharacter('a\rb', { allowTab: true })).toBe('\r');
    expect(findControlCharacter('ünïcode')).toBeUndefined();
  });
});
