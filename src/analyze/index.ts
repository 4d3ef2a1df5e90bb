/**
 * `cdk8s-istio-ambient/analyze`: the offline analyzer as functions (the CLI's `analyze` is a thin wrapper).
 */
export * from './analyze';
export * from './report';
export { LoadError, LoadResult, loadManifests, parseManifests } from '../loader/load';
