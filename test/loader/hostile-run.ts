// Run in a child process by hostile.test.ts: each case is input that once hung, exhausted memory or crashed
// the tools. The child prints one JSON line per finished case, so a case that hangs is named by its absence.
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../src/cli/program';

const dir = process.argv[2];
const WASM_HEAD = 'apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: bomb, namespace: shop}\nspec:\n'
  + '  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0\n  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]\n';
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

function write(rel: string, text: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

/** The 754-byte billion laughs of the issue, in the `"key":&anchor` form that once got past the anchor check. */
function bomb(): string {
  let s = `${WASM_HEAD}  pluginConfig: {"v0":&a0 [${Array(10).fill('"lol"').join(',')}]`;
  for (let i = 1; i < 9; i++) s += `,"v${i}":&a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`;
  return `${s}}\n`;
}

const cases: Record<string, () => Promise<string[]>> = {
  'alias bomb': async () => [await cli('analyze', write('bomb/bomb.yaml', bomb()))],
  'FIFO named *.yaml': async () => {
    write('fifo/ns.yaml', NS);
    require('child_process').execFileSync('mkfifo', [path.join(dir, 'fifo', 'pipe.yaml')]);
    return [await cli('analyze', path.join(dir, 'fifo')), await cli('simulate', '--manifests', path.join(dir, 'fifo'), '--from', 'shop/c', 'http://x/')];
  },
  'device named *.yaml': async () => {
    write('dev/ns.yaml', NS);
    fs.symlinkSync('/dev/zero', path.join(dir, 'dev', 'zero.yaml'));
    return [await cli('analyze', path.join(dir, 'dev'))];
  },
  'symbolic link loops': async () => {
    write('loop/a/ns.yaml', NS);
    fs.symlinkSync('.', path.join(dir, 'loop', 'a', 'self'));
    fs.symlinkSync('..', path.join(dir, 'loop', 'a', 'up'));
    for (let i = 0; i < 6; i++) fs.symlinkSync('../a', path.join(dir, 'loop', 'a', `back${i}`));
    return [await cli('analyze', path.join(dir, 'loop'))];
  },
  'deep nesting': async () => [
    await cli('analyze', write('deep/flow.yaml', `${NS}data: {x: ${'['.repeat(20000)}${']'.repeat(20000)}}\n`)),
    await cli('analyze', write('deep/block.yaml', `${NS}data:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')} x\n`)),
    // the same input again: a stack overflow inside the parser once broke the next parse
    await cli('analyze', path.join(dir, 'deep', 'flow.yaml')),
  ],
  'deep batch file': async () => [await cli('simulate', '--manifests', write('batch/ns.yaml', NS), '--requests', write('batch/checks.yaml', `- ${'['.repeat(20000)}\n`))],
};

async function cli(...args: string[]): Promise<string> {
  let out = '';
  const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { out += t; } });
  return `${code}|${out}`;
}

(async () => {
  for (const [name, run] of Object.entries(cases)) {
    const started = Date.now();
    const results = await run();
    process.stdout.write(`${JSON.stringify({ name, ms: Date.now() - started, results })}\n`);
  }
})().catch((e) => {
  process.stdout.write(`${JSON.stringify({ crash: String(e?.stack ?? e) })}\n`);
  process.exitCode = 1;
});
