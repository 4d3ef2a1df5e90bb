#!/usr/bin/env node
// The seed's main job: `npm run synth`, and `cdk8s synth` through cdk8s.yaml. It runs src/main.ts as the cdk8s
// app, writing the GitOps tree (dist/, or GITOPS_OUTDIR) in place.
//
// Why in place, and not `cdk8s synth` straight into dist/: the CLI deletes its output folder before it starts the
// app, so a synth that fails (a rule error, a typo) leaves a GitOps checkout empty. GitOpsApp renders and validates
// every object before it writes a file and rewrites only files whose content changed, so a failed run leaves the
// committed tree as it was. When `cdk8s synth` runs this script, the folder it passes in CDK8S_OUTDIR (cdk8s.yaml's
// `output`, cdk8s.out/, which it has just emptied) gets a copy of the tree as hard links, for its file listing and
// for validation plugins.
//
// Why fast: the TypeScript is transpiled by sucrase (no type check, well under a second for the whole tree) instead
// of ts-node's type-checking compile (several seconds); `npm run typecheck` and CI check the types.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const target = path.resolve(process.env.GITOPS_OUTDIR || path.join(ROOT, 'dist'));
const requested = process.env.CDK8S_OUTDIR;
process.env.CDK8S_OUTDIR = target;

/** Hard-links (or copies, across file systems) every regular file under `from` into `to`; symlinks are skipped. */
function mirror(from, to) {
  // not mkdirSync's recursive mode, which never returns below /proc (see src/loader/folders.ts)
  require(path.join(ROOT, 'src', 'loader', 'folders.ts')).makeFolders(to, fs, path);
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) mirror(src, dst);
    else if (e.isFile()) {
      fs.rmSync(dst, { force: true });
      try {
        fs.linkSync(src, dst);
      } catch {
        fs.copyFileSync(src, dst);
      }
    }
  }
}

try {
  // no ES syntax transforms: Node runs `??`, `?.` and class fields itself, as tsc's ES2022 output does, and the
  // writer starts its worker thread from a function's source text, which must not call sucrase's helpers
  require('sucrase/dist/register').addHook('.ts', { transforms: ['imports', 'typescript'], disableESTransforms: true });
  require(path.join(ROOT, 'src', 'main.ts'));
} catch (e) {
  // errors thrown on purpose (plain Errors and RuleErrors: one line, or cdk8s's validation list with one line per
  // finding) say all there is to say; a TypeError or a SyntaxError keeps its stack, which points at the code
  const ours = e instanceof Error && (e.constructor === Error || e.name === 'RuleError');
  process.stderr.write(`${ours ? `error: ${e.message}` : (e && e.stack) || String(e)}\n`);
  process.exit(1);
}
if (requested && path.resolve(requested) !== target) mirror(target, path.resolve(requested));
