import * as fc from 'fast-check';
import { checkLuaCode, readLuaSource } from '../../src/rules/lua';

describe('Lua source checks', () => {
  test('LuaJIT syntax: goto and LuaJIT literals parse; Lua 5.3 operators do not (Envoy runs LuaJIT)', () => {
    expect(readLuaSource('goto done\n::done::\nlocal x = 1LL').syntaxError).toBeUndefined();
    expect(readLuaSource('local x = 7 // 2').syntaxError).toMatchObject({ line: 1, column: 14 });
    expect(readLuaSource('local x = a & b').syntaxError).toMatchObject({ line: 1 });
  });

  test('a parse error names the line and the 1-based column of the code', () => {
    const [p] = checkLuaCode('function envoy_on_request(h)\n  h:headers():add("a",\nend');
    expect(p).toMatchObject({ code: 'TE002', field: 'spec.lua.inlineCode', value: 'end' });
    expect(p.message).toMatch(/line 3, column 1 of the code: <expression> expected near 'end'/);
  });

  test('a handler must be a global defined when the chunk loads (Envoy looks globals up after loading)', () => {
    expect(checkLuaCode('function envoy_on_request(h) end')).toEqual([]);
    expect(checkLuaCode('envoy_on_response = function(h) end')).toEqual([]);
    expect(checkLuaCode('if true then function envoy_on_request(h) end end')).toEqual([]);
    expect(checkLuaCode('_G["envoy_on_request"] = function(h) end')).toEqual([]);
    const [local] = checkLuaCode('local function envoy_on_request(h) end');
    expect(local).toMatchObject({ code: 'TE003', severity: 'warning' });
    expect(local.message).toMatch(/envoy_on_request is declared local/);
    // defined only inside another function: never defined at load
    expect(checkLuaCode('function setup() function envoy_on_request(h) end end')[0].code).toBe('TE003');
    expect(checkLuaCode('function on_request(h) end')[0].code).toBe('TE003');
  });

  test('empty and oversized code is TE004 (CRD minLength 1, maxLength 65536; istiod drops it too)', () => {
    expect(checkLuaCode('')[0].code).toBe('TE004');
    expect(checkLuaCode('-'.repeat(65537))[0]).toMatchObject({ code: 'TE004', value: '65537 characters' });
    expect(checkLuaCode(42)[0].code).toBe('TE004');
  });

  test('property: any string is read without throwing, and an error position lies inside the code', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (code) => {
      const info = readLuaSource(code);
      if (info.syntaxError) {
        const lines = code.split('\n').length;
        expect(info.syntaxError.line).toBeGreaterThanOrEqual(1);
        expect(info.syntaxError.line).toBeLessThanOrEqual(lines);
        expect(info.syntaxError.column).toBeGreaterThanOrEqual(1);
      }
    }), { numRuns: 300 });
  });
});
