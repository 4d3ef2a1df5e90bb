// The basic_auth module's reading of its config: its base64 decoder and onConfigure, as property tests.
import * as fc from 'fast-check';
import { checkBasicAuthConfig, isModuleBase64, parseBasicAuthConfig } from '../../src/rules/basic-auth';

describe('the basic_auth module configuration', () => {
  test('standard base64 of any bytes decodes, padded or not', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
      const padded = Buffer.from(bytes).toString('base64');
      expect(isModuleBase64(padded)).toBe(true);
      expect(isModuleBase64(padded.replace(/=+$/, ''))).toBe(true);
    }));
  });

  test('a group of a single character never decodes, with or without "="', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 30 }).map((b) => Buffer.from(b).toString('base64').replace(/=+$/, '')),
      fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('')), fc.constantFrom('', '=', '=='),
      (body, extra, pad) => {
        const value = body.length % 4 === 0 ? `${body}${extra}${pad}` : `${body}${'AAAA'.slice(body.length % 4)}${extra}${pad}`;
        expect(isModuleBase64(value)).toBe(false);
      }));
  });

  test('characters outside the standard alphabet never decode', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /[^A-Za-z0-9+/=]/.test(s)), (s) => {
      expect(isModuleBase64(s)).toBe(false);
    }));
  });

  test('never throws on any JSON, and accepted configs hold only well-formed rules', () => {
    fc.assert(fc.property(fc.jsonValue(), (config) => {
      const parsed = parseBasicAuthConfig(config);
      expect(() => checkBasicAuthConfig(config)).not.toThrow();
      if (parsed.config) {
        expect(parsed.rejected).toEqual([]);
        for (const r of parsed.config.rules) {
          expect(r.methods.length).toBeGreaterThan(0);
          expect(r.credentials.length).toBeGreaterThan(0);
        }
      } else {
        expect(parsed.rejected.length).toBeGreaterThan(0);
      }
    }));
  });

  test('rules the module accepts but that never match keep their place and are reported as errors', () => {
    const config = { basic_auth_rules: [{ prefix: 'api', request_methods: ['get', ''], credentials: ['ok:test'] }, { prefix: '/b', request_methods: ['GET'], credentials: ['ok:test'] }] };
    expect(parseBasicAuthConfig(config).config!.rules.map((r) => r.path)).toEqual(['api', '/b']);
    expect(checkBasicAuthConfig(config).map((p) => `${p.code} ${p.severity} ${p.field}`)).toEqual([
      'BA010 error spec.pluginConfig.basic_auth_rules[0].prefix',
      'BA010 error spec.pluginConfig.basic_auth_rules[0].request_methods[0]',
      'BA010 error spec.pluginConfig.basic_auth_rules[0].request_methods[1]',
    ]);
  });
});
