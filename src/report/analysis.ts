/**
 * An analysis in one of its output formats: apart from the other reports, so that a run that renders only an
 * analysis (an `analyze --cache` hit, say) loads no simulator.
 */
import { AnalyzeResult, locateFindings, renderJson, renderText } from '../analyze';
import { renderSarif } from './sarif';

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
