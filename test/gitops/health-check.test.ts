import { execFileSync } from 'child_process';
import * as path from 'path';
import { WasmPluginHealthCheck } from '../../src';

// Argo CD runs the script with `obj` set to the live object and reads the table it returns. wasmoon (Lua in
// WebAssembly) loads with a dynamic import jest's VM refuses, so each case runs in a plain node process.
const RUNNER = `
const { LuaFactory } = require('wasmoon');
const [script, obj] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
new LuaFactory().createEngine().then(async (lua) => {
  lua.global.set('obj', obj);
  process.stdout.write(JSON.stringify(await lua.doString(script)));
  lua.global.close();
});`;

async function health(obj: any): Promise<{ status: string; message: string }> {
  const out = execFileSync(process.execPath, ['-e', RUNNER], {
    cwd: path.join(__dirname, '..', '..'), input: JSON.stringify([WasmPluginHealthCheck.LUA, obj]), encoding: 'utf8',
  });
  return JSON.parse(out);
}

const plugin = (status?: any, generation = 1) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'p', generation }, spec: {}, ...(status ? { status } : {}) });

describe('WasmPlugin health check', () => {
  test('is Healthy without status, since Istio writes none unless status reporting is on', async () => {
    expect(await health(plugin())).toEqual({ status: 'Healthy', message: expect.stringMatching(/status reporting is off/) });
  });

  test('is Degraded when an analyzer reports an error, quoting it', async () => {
    const h = await health(plugin({ validationMessages: [{ level: 'WARNING', type: { code: 'IST0001' } }, { level: 'ERROR', type: { code: 'IST0166' }, message: 'ineffective selector' }] }));
    expect(h).toEqual({ status: 'Degraded', message: 'IST0166 ineffective selector' });
  });

  test('is Progressing until the plugin reached every proxy, or while the status is of an older generation', async () => {
    expect(await health(plugin({ observedGeneration: 1, conditions: [{ type: 'Reconciled', status: 'False', message: '3/5 proxies up to date' }] })))
      .toEqual({ status: 'Progressing', message: '3/5 proxies up to date' });
    expect((await health(plugin({ observedGeneration: 1, conditions: [{ type: 'Reconciled', status: 'True' }] }, 2))).status).toBe('Progressing');
  });

  test('is Healthy once reconciled, saying that module loading is not reported', async () => {
    const h = await health(plugin({ observedGeneration: '1', conditions: [{ type: 'Reconciled', status: 'True' }, { type: 'PassedAnalysis', status: 'True' }] }));
    expect(h).toEqual({ status: 'Healthy', message: expect.stringMatching(/module loading is not reported/) });
  });

  test('goes under the argocd-cm keys Argo CD reads for WasmPlugin and TrafficExtension', () => {
    expect(WasmPluginHealthCheck.argoCdConfigEntry()).toEqual({
      'resource.customizations.health.extensions.istio.io_WasmPlugin': WasmPluginHealthCheck.LUA,
      'resource.customizations.health.extensions.istio.io_TrafficExtension': WasmPluginHealthCheck.LUA,
    });
  });

  test('reads a TrafficExtension\'s status the same way (the CRD has the same Istio status fields)', async () => {
    const te = { ...plugin({ observedGeneration: 1, conditions: [{ type: 'Reconciled', status: 'False', message: '1/2 proxies up to date' }] }), kind: 'TrafficExtension' };
    expect(await health(te)).toEqual({ status: 'Progressing', message: '1/2 proxies up to date' });
  });
});
