import { HttpMethod } from '../../src';

describe('HttpMethod', () => {
  test('the standard methods are the Gateway API enum, in its order', () => {
    expect(HttpMethod.STANDARD.map((m) => m.value)).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
    expect(HttpMethod.STANDARD.every((m) => m.isStandard)).toBe(true);
  });

  test('the standard list cannot be changed by a caller', () => {
    expect(() => (HttpMethod.STANDARD as HttpMethod[]).push(HttpMethod.of('PURGE'))).toThrow(TypeError);
    expect(HttpMethod.of('PURGE').isStandard).toBe(false);
  });

  test('of() returns the constant for a standard method and a new value for any other token', () => {
    expect(HttpMethod.of('POST')).toBe(HttpMethod.POST);
    const purge = HttpMethod.of('PURGE');
    expect(purge.value).toBe('PURGE');
    expect(purge.isStandard).toBe(false);
    // case matters: the module and the route match compare exact text
    expect(HttpMethod.of('get').isStandard).toBe(false);
  });

  test('fails on a value that is not a method token, naming it', () => {
    expect(() => HttpMethod.of('GET /x')).toThrow(/HttpMethod\.of: value: is not an HTTP method token \(got "GET \/x"\)/);
    expect(() => HttpMethod.of('')).toThrow(/got ""/);
  });
});
