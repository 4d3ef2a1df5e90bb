/**
 * `cdk8s-istio-ambient/report`: every output format in one place. The same findings, check results and diffs
 * render as text, JSON, SARIF, JUnit or Markdown; the CLI picks one by name. No rule and no simulation knows
 * its output format.
 */
import { BatchResult, formatBatch } from '../simulate';
import { renderJUnit } from './junit';

export * from './analysis';
export * from './sarif';
export * from './junit';
export * from './xml';
export * from './mask';
export * from './tool';
export * from './diff';

/** Formats of `simulate --requests`. */
export const BATCH_FORMATS = ['text', 'json', 'junit'] as const;
export type BatchFormat = typeof BATCH_FORMATS[number];

/** Renders batch check results in one of {@link BATCH_FORMATS}; `file` names the batch file in JUnit. */
export function renderBatch(batch: BatchResult, format: BatchFormat, file = 'requests'): string {
  switch (format) {
    case 'json': return `${JSON.stringify(batch, null, 2)}\n`;
    case 'junit': return renderJUnit(batch, { file });
    default: return formatBatch(batch);
  }
}
