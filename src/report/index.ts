/**
 * `cdk8s-istio-ambient/report`: every output format in one place. The same findings, check results and diffs
 * render as text, JSON, SARIF, JUnit or Markdown; the CLI picks one by name. No rule and no simulation knows
 * its output format.
 */
import { AnalyzeResult, locateFindings, renderJson, renderText } from '../analyze';
import { BatchResult, formatBatch } from '../simulate';
import { renderJUnit } from './junit';
import { renderSarif } from './sarif';

export * from './sarif';
export * from './junit';
export * from './xml';
export * from './mask';
export * from './tool';
export * from './diff';

/** Formats of `analyze`. */
export const ANALYZE_FORMATS = ['text', 'json', 'sarif'] as const;
export type AnalyzeFormat = typeof ANALYZE_FORMATS[number];

export interface AnalysisRenderOptions {
  /** The run's exit code (JSON and SARIF record it). @default 0 */
  readonly exitCode?: number;
  /** Text only: leave warning and suppressed lines out. @default false */
  readonly quiet?: boolean;
}

/** Renders an analysis in one of {@link ANALYZE_FORMATS}. SARIF reads the files again to point at each field. */
export function renderAnalysis(result: AnalyzeResult, format: AnalyzeFormat, options: AnalysisRenderOptions = {}): string {
  const exitCode = options.exitCode ?? 0;
  switch (format) {
    case 'json': return renderJson(result, exitCode);
    case 'sarif': return renderSarif(result, { exitCode, positions: locateFindings(result.findings) });
    default: return renderText(result, { quiet: options.quiet });
  }
}

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
