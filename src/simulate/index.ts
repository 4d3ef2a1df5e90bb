/**
 * `cdk8s-istio-ambient/simulate`: predicts offline what an HTTP request inside an Istio ambient mesh gets
 * (401, 200, 404...) and why, from manifests. `simulate()` and `Simulator` are pure; `loadSimulator()` and
 * `loadChecks()` read files.
 */
export * from './types';
export { Simulator, simulate, statusText, validateRequest } from './simulator';
export type { SimulatorOptions, SimulationInput } from './simulator';
export { SimulationInputError, parseUrl, parseHeader, basicAuthHeader, parseClientRef } from './request';
export type { ClientRef, ParsedUrl } from './request';
export { parseChecks } from './batch';
export type { ParseChecksOptions } from './batch';
export { formatSimulation, formatBatch, traceLines, maskedResult, maskedBatch } from './format';
export { loadSimulator, loadChecks, LoadSimulatorOptions } from './files';
export { benchSimulate, syntheticMesh, syntheticRequests } from './bench';
export type { SimulateBenchOptions, SimulateBenchResult } from './bench';
