/**
 * `cdk8s-istio-ambient/analyze`: the offline analyzer as functions (the CLI's `analyze` is a thin wrapper).
 */
export * from './analyze';
export * from './report';
export type { LoadError, LoadResult } from '../loader/load';
export { loadManifests, parseManifests } from '../loader/load';
export { locateFindings } from './locate';
export type { FieldPosition } from './locate';
