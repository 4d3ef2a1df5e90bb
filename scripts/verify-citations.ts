/**
 * Checks every citation of the conformance tables (test/conformance/*.yaml) against the pinned sources, and writes
 * test/conformance/citations.lock.json when all of them pass and --write is given.
 *
 *   npm run verify:citations -- --istio <git-dir> --wasmext <git-dir> --proxy <git-dir> \
 *     --k8s-api <git-dir> --k8s-apimachinery <git-dir> --k8sdns <git-dir> [--write] [--show-lines]
 *
 * Each flag defaults to its environment variable (ISTIO_GIT_DIR, WASMEXT_GIT_DIR, PROXY_GIT_DIR, K8S_API_GIT_DIR,
 * K8S_APIMACHINERY_GIT_DIR, K8SDNS_GIT_DIR, GWAPI_GIT_DIR). Exit 0 when every citation passes, 1 when one fails,
 * 2 on bad usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { LOCK, collectCitations } from '../test/conformance/citations';
import { REPOSITORIES, lockOf, verifyCitations } from './citations/verify';

const ROOT = path.join(__dirname, '..');
const TABLES = path.join(ROOT, 'test', 'conformance');

function main(argv: string[]): number {
  const program = new Command('verify-citations')
    .description('checks every citation of test/conformance/*.yaml against the pinned sources')
    .option('--write', 'write test/conformance/citations.lock.json (only when every citation passes)')
    .option('--show-lines', 'print every :line citation with the line it points at')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const r of REPOSITORIES) program.option(`${r.flag} <git-dir>`, `the git dir of ${r.repository} (default: $${r.env})`);
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = program.opts();
  const dirs: Record<string, string | undefined> = {};
  for (const r of REPOSITORIES) {
    const key = r.flag.slice(2).replace(/-([a-z])/g, (_, x: string) => x.toUpperCase());
    dirs[r.id] = opts[key] ?? (process.env[r.env] || undefined);
  }
  const { uses, errors } = collectCitations(TABLES, ROOT);
  for (const e of errors) process.stdout.write(`${e}\n`);
  const checked = verifyCitations(uses, dirs);
  const byText = new Map(checked.map((c) => [c.citation, c]));
  for (const u of uses) {
    const c = byText.get(u.text)!;
    if (c.problems.length > 0) process.stdout.write(`${u.file}:${u.line}: ${u.text}: ${c.problems.join('; ')}\n`);
  }
  if (opts.showLines) {
    for (const c of checked) if (c.line) process.stdout.write(`${c.citation}\n    ${c.line.number}: ${c.line.text}\n`);
  }
  const failing = checked.filter((c) => c.problems.length > 0).length;
  process.stdout.write(`${uses.length} citations, ${checked.length} distinct, ${failing} failing${errors.length > 0 ? `, ${errors.length} tables unreadable` : ''}\n`);
  if (failing > 0 || errors.length > 0) {
    if (opts.write) process.stdout.write(`${path.relative(ROOT, LOCK)} not written: every citation must pass first\n`);
    return 1;
  }
  if (opts.write) {
    const tmp = `${LOCK}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(lockOf(checked), null, 2)}\n`);
    fs.renameSync(tmp, LOCK);
    process.stdout.write(`${path.relative(ROOT, LOCK)} written\n`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`verify-citations: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exitCode = 2;
}
