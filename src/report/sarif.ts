/**
 * `analyze --format sarif`: the findings as a SARIF 2.1.0 log, the format code scanning services read
 * (GitHub's upload-sarif among them). One run, every rule with its help link, one result per finding with its
 * file, line and column, a fingerprint that survives unrelated edits, and suppressions as SARIF has them.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { AnalyzeResult, FieldPosition, formatLoadError, parseOrigin } from '../analyze';
import { RULES } from '../rules/codes';
import { Finding, Severity, formatFinding } from '../rules/finding';
import { maskFinding } from './mask';
import { RULES_DOC_URL, TOOL_NAME, TOOL_VERSION, ruleHelpUri } from './tool';

/** The schema the log declares (the OASIS SARIF 2.1.0 schema). */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The key of our fingerprint in `partialFingerprints`; the suffix changes only if its inputs ever do. */
export const FINGERPRINT_KEY = 'cdk8sIstioAmbientFinding/v1';

export interface SarifOptions {
  /** Field positions from `locateFindings`; a finding without one points at its object's first line. @default - none */
  readonly positions?: ReadonlyMap<Finding, FieldPosition>;
  /** Where rule help links point. @default - the rules reference of this version */
  readonly rulesDocUrl?: string;
  /** Exit code of the run, recorded in the invocation. @default 0 */
  readonly exitCode?: number;
}

/** A file path as a SARIF artifact URI: relative paths stay relative (to the repository root), absolute ones are file URIs. */
export function artifactUri(file: string): string {
  const posix = file.split(path.sep).join('/');
  const encoded = posix.split('/').map((s) => encodeURIComponent(s)).join('/');
  if (path.isAbsolute(file)) return `file://${encoded.startsWith('/') ? '' : '/'}${encoded}`;
  return encoded.replace(/^(\.\/)+/, '');
}

/**
 * A finding's identity: rule, object, field and file, never a line or a value, so it stays the same when
 * lines move or the bad value changes, and a fix that moves the object to another file opens a new result.
 */
export function fingerprint(f: Finding): string {
  const file = parseOrigin(f.origin).file.split(path.sep).join('/');
  return createHash('sha256').update([f.code, f.kind, f.namespace, f.name, f.field, file].join('\u0000')).digest('hex');
}

function pascal(title: string): string {
  return title.replace(/[^A-Za-z0-9 ]+/g, ' ').split(' ').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

const level = (s: Severity) => (s === Severity.ERROR ? 'error' : 'warning');

function region(f: Finding, positions?: ReadonlyMap<Finding, FieldPosition>): Record<string, number> | undefined {
  const at = positions?.get(f);
  if (at) return { startLine: at.line, startColumn: at.column };
  const line = parseOrigin(f.origin).line;
  return line > 0 ? { startLine: line } : undefined;
}

function location(file: string, reg: Record<string, number> | undefined): Record<string, unknown> {
  return { physicalLocation: { artifactLocation: { uri: artifactUri(file) }, ...(reg ? { region: reg } : {}) } };
}

/** The SARIF log of an analysis, as an object (see {@link renderSarif} for the text). */
export function sarifLog(result: AnalyzeResult, options: SarifOptions = {}): Record<string, unknown> {
  const base = options.rulesDocUrl ?? RULES_DOC_URL;
  const index = new Map(RULES.map((r, i) => [r.code, i]));
  const rules = RULES.map((r) => ({
    id: r.code,
    name: pascal(r.title),
    shortDescription: { text: r.title },
    fullDescription: { text: `${r.code} (${r.severity}): ${r.title}.` },
    helpUri: ruleHelpUri(r.code, base),
    help: {
      text: `${r.title}. The rules reference has a bad and a fixed example, and what analyze reports on it: ${ruleHelpUri(r.code, base)}`,
      markdown: `**${r.severity}**: ${r.title}.\n\nSee [${r.code} in the rules reference](${ruleHelpUri(r.code, base)}) for a bad and a fixed example, and what \`analyze\` reports on it.`,
    },
    defaultConfiguration: { level: level(r.severity) },
    properties: { tags: ['istio', 'kubernetes', r.code.replace(/[0-9]+$/, '').toLowerCase()], precision: 'very-high', 'problem.severity': r.severity },
  }));
  const results = result.findings.map((raw) => {
    const f = maskFinding(raw);
    const file = parseOrigin(f.origin).file;
    const refused = f.suppressionRefused ? ` [not suppressed: ${f.suppressionRefused}]` : '';
    return {
      ruleId: f.code,
      ...(index.has(f.code) ? { ruleIndex: index.get(f.code) } : {}),
      level: level(f.severity),
      message: { text: `${formatFinding(f)}${refused}` },
      locations: [location(file, region(raw, options.positions))],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
      ...(f.suppressed ? {
        suppressions: [{
          kind: f.suppressed.by === 'annotation' ? 'inSource' : 'external',
          // no review status: it defaults to accepted, and the 2.1.0 schema's own copies disagree on its name
          justification: f.suppressed.reason || `listed in ${f.suppressed.where}, without a reason`,
        }],
      } : {}),
      properties: { kind: f.kind, namespace: f.namespace, name: f.name, field: f.field },
    };
  });
  const notifications = [
    ...result.loadErrors.map((e) => ({
      level: 'error', message: { text: formatLoadError(e) }, descriptor: { id: 'LOAD' },
      locations: [location(e.file, e.line > 0 ? { startLine: e.line } : undefined)],
    })),
    ...(result.internalError !== undefined ? [{ level: 'error', message: { text: `INTERNAL: ${result.internalError}` }, descriptor: { id: 'INTERNAL' } }] : []),
  ];
  const exitCode = options.exitCode ?? 0;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, semanticVersion: TOOL_VERSION, informationUri: RULES_DOC_URL.replace(/\/docs\/rules\.md$/, ''), rules } },
      invocations: [{
        executionSuccessful: result.internalError === undefined && result.loadErrors.length === 0,
        exitCode,
        ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
      }],
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}

/** The SARIF log as text: one JSON document, keys in a fixed order, so two runs on the same input are byte-identical. */
export function renderSarif(result: AnalyzeResult, options: SarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(result, options), null, 2)}\n`;
}
