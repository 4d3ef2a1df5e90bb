/**
 * `cdk8s-istio-ambient/diff`: what changes for requests between two trees (e.g. two commits' dist/), and which
 * requests it opens. `diffObjects()` is pure; `diffPaths()` reads files.
 */
export * from './diff';
export * from './allow';
export * from './probes';
