// The WasmPlugin URL is read as Go's net/url reads it (the CRD's CEL rule and the webhook): property tests.
import * as fc from 'fast-check';
import { goParse, goParseRequestURI, wasmUrlScheme } from '../../src/rules/go-url';
import { checkUrl } from '../../src/rules/wasm-fields';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
const pathOf = fc.array(segment, { maxLength: 4 }).map((s) => (s.length === 0 ? '' : `/${s.join('/')}`));

describe('Go URL parsing for WasmPlugin urls', () => {
  test('well-formed URLs of the accepted schemes keep their scheme, in lower case', () => {
    fc.assert(fc.property(fc.constantFrom('oci', 'http', 'https', 'OCI', 'Https'), host, fc.option(fc.integer({ min: 1, max: 65535 })), pathOf,
      (scheme, h, port, p) => {
        const url = `${scheme}://${h}${port === null ? '' : `:${port}`}${p}`;
        expect(wasmUrlScheme(url)).toBe(scheme.toLowerCase());
        expect(checkUrl(url)).toEqual([]);
      }));
  });

  test('an image reference without scheme is read after "http://" and accepted as oci', () => {
    fc.assert(fc.property(host, pathOf, fc.stringMatching(/^[a-z0-9.-]{1,8}$/), (h, p, tag) => {
      const url = `${h}${p}/img:${tag}`;
      expect(wasmUrlScheme(url)).toBe('http');
      expect(checkUrl(url)).toEqual([]);
    }));
  });

  test('any scheme other than oci, http, https and file is refused', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}$/).filter((s) => !['oci', 'http', 'https', 'file'].includes(s)), host,
      (scheme, h) => {
        const problems = checkUrl(`${scheme}://${h}/m.wasm`);
        expect(problems.map((p) => p.code)).toEqual(['WASM012']);
      }));
  });

  test('never throws, and a control character is always refused', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      expect(() => wasmUrlScheme(s)).not.toThrow();
      expect(() => goParse(s)).not.toThrow();
      expect(() => goParseRequestURI(s)).not.toThrow();
    }));
    fc.assert(fc.property(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), (s, c) => {
      expect(goParseRequestURI(`http://h/${s}${String.fromCharCode(c)}`)).toBeUndefined();
    }));
  });

  test.each([
    ['#%blah$#@', undefined],
    ['test', 'http'],
    ['fake://example.com', 'fake'],
    ['localhost:5000/auth:1', 'localhost'],
    ['/etc/istio/a.wasm', ''],
    ['http://bad host/x', 'http'],
    ['http://host/a%zz', undefined],
    ['https://user:pa%20ss@host:8443/x', 'https'],
  ])('%s reads with scheme %s', (url, scheme) => {
    expect(wasmUrlScheme(url)).toBe(scheme);
  });

  test('a URL accepted only with "http://" in front but unparsable as written is WASM030, not an admission error', () => {
    expect(checkUrl('http://bad host/x.wasm').map((p) => p.code)).toEqual(['WASM030']);
    expect(checkUrl('https://h:port/x.wasm').map((p) => p.code)).toEqual(['WASM030']);
    expect(checkUrl('https://h:8443/x.wasm')).toEqual([]);
  });
});
