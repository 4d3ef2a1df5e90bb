/**
 * One finding format for every caller: synth-time validation, `analyze`, the cdk8s validation plugin.
 */
import { clipped, escapeControls, redactSecrets } from './display';

export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
}

/** A problem found in one object, in the shape every report is rendered from. */
export interface Finding {
  /** Stable rule code, e.g. `WASM005`. */
  readonly code: string;
  readonly severity: Severity;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Construct path at synth time, `file:line` in `analyze`. */
  readonly origin: string;
  /** Field path inside the object, e.g. `spec.targetRefs[0].name`. */
  readonly field: string;
  /** What is wrong, lower case, no trailing period. */
  readonly message: string;
  /** The offending value, already JSON-quoted for display. */
  readonly value: string;
  /** How to fix it, in the YAML's words (fields and labels). */
  readonly fix: string;
  /**
   * How to fix it in the construct API's words (`WaypointNamespaces.ALL`, `Waypoint.bindService()`), when they
   * differ from the YAML's: synth-time messages about objects our constructs made use it (see {@link fixFor}).
   */
  readonly apiFix?: string;
  /** Opaque producer handle carried over from the manifest (the construct at synth time). */
  readonly source?: unknown;
  /** Set when a suppression silences the finding: it is reported as suppressed and fails nothing. */
  readonly suppressed?: Suppression;
  /** Set when a suppression names the finding but may not silence it (see `applySuppressions`): why. */
  readonly suppressionRefused?: string;
}

/** Who silenced a finding, and why. */
export interface Suppression {
  /** `annotation` (on the object) or `option` (`--ignore`, the synth environment variable, the plugin property). */
  readonly by: 'annotation' | 'option';
  /** Where the suppression is written, e.g. `--ignore` or `metadata.annotations["cdk8s-istio-ambient.io/ignore"]`. */
  readonly where: string;
  /** The reason given; empty when none was. */
  readonly reason: string;
}

/** Whose words a fix is given in. */
export enum FixWording {
  /** YAML fields and labels: `analyze`, the validation plugin, objects a construct of ours did not make. */
  YAML = 'yaml',
  /** The construct API: synth-time messages about the objects our constructs made. */
  CONSTRUCT = 'construct',
}

/** The fix of a finding or problem in the given words (the YAML wording when there is no construct wording). */
export function fixFor(f: { readonly fix: string; readonly apiFix?: string }, wording: FixWording = FixWording.YAML): string {
  return wording === FixWording.CONSTRUCT && f.apiFix !== undefined ? f.apiFix : f.fix;
}

/** A problem with one value, before it is tied to an object (see {@link problemToFinding}). */
export interface FieldProblem {
  readonly code: string;
  readonly severity: Severity;
  readonly field: string;
  readonly message: string;
  readonly value: unknown;
  /** The fix in the YAML's words. */
  readonly fix: string;
  /** The fix in the construct API's words, when they differ (see {@link Finding.apiFix}). */
  readonly apiFix?: string;
}

/**
 * Renders a value for messages: JSON, so strings are quoted and `undefined` reads as such. Credentials
 * inside it are masked ({@link redactSecrets}) and control characters escaped, whatever the rule passed.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(redactSecrets(value)) ?? String(value);
  } catch {
    s = String(value);
  }
  return clipped(escapeControls(s));
}

/** The first of `problems` as `<field>: <message> (got <value>)`, and how many more there are. */
export function problemsText(problems: readonly FieldProblem[]): string {
  const p = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `${p.field}: ${p.message} (got ${JSON.stringify(p.value)})${more}`;
}

/** `<CODE> <Kind> <namespace>/<name> (<origin>): <field>: <message> (got <value>); <fix>`, the fix in YAML words. */
export function formatFinding(f: Finding): string {
  return formatFindingIn(f, FixWording.YAML);
}

/** {@link formatFinding} with the fix in the given words (the construct API's at synth). */
export function formatFindingIn(f: Finding, wording: FixWording): string {
  const ns = f.namespace === '' ? '' : `${f.namespace}/`;
  return `${f.code} ${f.kind} ${ns}${f.name} (${f.origin}): ${f.field}: ${f.message} (got ${f.value}); ${fixFor(f, wording)}`;
}

/** The `analyze` line: severity first. */
export function formatFindingLine(f: Finding): string {
  return `${f.severity} ${formatFinding(f)}`;
}

export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly origin: string;
  readonly source?: unknown;
}

export function problemToFinding(obj: ObjectRef, p: FieldProblem): Finding {
  return {
    code: p.code,
    severity: p.severity,
    kind: obj.kind,
    namespace: obj.namespace,
    name: obj.name,
    origin: obj.origin,
    field: p.field,
    message: p.message,
    value: showValue(p.value),
    fix: p.fix,
    ...(p.apiFix !== undefined ? { apiFix: p.apiFix } : {}),
    source: obj.source,
  };
}

/**
 * Thrown by constructors for input that is wrong on its own. The message is the one finding line (construct path,
 * object, field, value, fix); the structured finding is on `finding`, which is not enumerable, so Node does not
 * print it (nor the construct it names) beside the message when the error goes uncaught.
 */
export class RuleError extends Error {
  /** The finding the error was made from. */
  declare public readonly finding: Finding;

  constructor(finding: Finding, wording: FixWording = FixWording.CONSTRUCT) {
    super(formatFindingIn(finding, wording));
    this.name = 'RuleError';
    Object.defineProperty(this, 'finding', { value: finding, enumerable: false });
  }
}
