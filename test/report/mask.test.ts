// Reports for CI never carry a credential: Authorization values and credential entries keep their user only.
import { maskFinding, maskText, maskToken } from '../../src/report/mask';
import { Severity } from '../../src/rules';

describe('masking', () => {
  test('a base64 user:password token shows its user; anything else its length only', () => {
    expect(maskToken('YWRtaW4zOmFkbWluMw==')).toBe('base64(admin3:***)');
    expect(maskToken('not-base64!')).toBe('*** (11 characters)');
  });

  test('header lines, quoted Authorization values and credential mentions are masked; other words are not', () => {
    expect(maskText('             > Authorization: Basic YWRtaW4zOmFkbWluMw==')).toBe('             > Authorization: Basic base64(admin3:***)');
    expect(maskText('Authorization "Bearer abc.def" does not start with "Basic "')).toBe('Authorization "Bearer *** (7 characters)" does not start with "Basic "');
    expect(maskText('credential "YWRtaW4zOmFkbWluMw==" (admin3:…) is listed')).toBe('credential "base64(admin3:***)" is listed');
    // text masked at its source already stays as it is
    expect(maskText('             > Authorization: Basic base64(admin3:***)')).toBe('             > Authorization: Basic base64(admin3:***)');
    expect(maskText('no Authorization header; Request denied by Basic Auth check; Basic realm=istio')).toBe('no Authorization header; Request denied by Basic Auth check; Basic realm=istio');
  });

  test('a finding on a credential field shows it masked', () => {
    const f = { code: 'BA006', severity: Severity.ERROR, kind: 'WasmPlugin', namespace: 's', name: 'p', origin: 'x:1', field: 'spec.pluginConfig.basic_auth_rules[0].credentials[0]', message: 'm', value: '"hunter2"', fix: 'f' };
    expect(maskFinding(f).value).toBe('"*** (7 characters)"');
    expect(maskFinding({ ...f, field: 'spec.url', value: '"oci://x"' }).value).toBe('"oci://x"');
  });
});
