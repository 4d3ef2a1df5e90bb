/**
 * A cdk8s validation plugin: `cdk8s synth` runs the rule set over the manifests any cdk8s app writes, and the
 * findings appear in cdk8s's validation report. List it in the app's `cdk8s.yaml`:
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio-ambient/lib/src/validation-plugin
 *     version: 0.1.0
 *     class: IstioAmbientValidation
 * ```
 *
 * The types below mirror the parts of cdk8s-cli's plugin interface (`cdk8s-cli/lib/plugins/validation`) this
 * plugin uses, so the package needs no dependency on the CLI.
 */
import * as path from 'path';
import { FailOn, analyzeByCluster, firstLine, summaryLine } from '../analyze';
import { loadManifests } from '../loader/load';
import { IgnoreEntry, IgnoreListError, RULES, Severity, escapeControls, parseIgnoreList, suppressionSuffix } from '../rules';
import { parseOrigin } from '../analyze/analyze';

/** `properties:` of the `validations:` entry. */
export interface IstioAmbientValidationProperties {
  /** Istio's meshConfig.rootNamespace. @default "istio-system" */
  readonly rootNamespace?: string;
  /** Namespace of objects that set none. @default "default" */
  readonly defaultNamespace?: string;
  /** `error` fails the synth on errors only, `warning` on warnings too. @default "error" */
  readonly failOn?: string;
  /** Largest manifest file read, in bytes. @default 67108864 (64 MiB) */
  readonly maxFileBytes?: number;
  /**
   * Codes suppressed on every object, as `analyze --ignore` takes them: `CODE[,CODE][: reason]`, one entry or a
   * list. Annotations on objects are honoured as well. @default - none
   */
  readonly ignore?: string | readonly string[];
}

/** A violation as cdk8s-cli's `ValidationReport.addViolation` takes it. */
export interface ValidationViolationShape {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: ReadonlyArray<{ readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }>;
}

/** The parts of cdk8s-cli's `ValidationContext` the plugin uses. */
export interface ValidationContextShape {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: ValidationViolationShape): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
}

const TITLES = new Map(RULES.map((r) => [r.code, r.title]));

/** The deepest folder holding every manifest (cdk8s's output folder, or below it). */
function commonFolder(files: readonly string[]): string {
  if (files.length === 0) return '.';
  let common = path.dirname(path.resolve(files[0])).split(path.sep);
  for (const f of files.slice(1)) {
    const parts = path.dirname(path.resolve(f)).split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

/** The cdk8s validation plugin class (`class: IstioAmbientValidation`). */
export class IstioAmbientValidation {
  private readonly props: IstioAmbientValidationProperties;

  constructor(props: IstioAmbientValidationProperties = {}) {
    // `properties:` left empty in cdk8s.yaml is null
    if (props === null) props = {};
    if (typeof props !== 'object' || Array.isArray(props)) {
      throw new Error(`IstioAmbientValidation: properties: must be a map (got ${JSON.stringify(props)}); write e.g. properties: { failOn: warning }, or leave properties out`);
    }
    for (const field of ['rootNamespace', 'defaultNamespace'] as const) {
      const v = props[field];
      // a Namespace name, as the API server requires: another one would match no object, silently
      if (v !== undefined && (typeof v !== 'string' || v.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v))) {
        throw new Error(`IstioAmbientValidation: properties.${field}: must be a namespace name: lowercase a-z, 0-9 and "-", at most 63 characters (got ${escapeControls(JSON.stringify(v) ?? String(v))}); fix the validations entry in cdk8s.yaml`);
      }
    }
    if (props.failOn !== undefined && props.failOn !== FailOn.ERROR && props.failOn !== FailOn.WARNING) {
      throw new Error(`IstioAmbientValidation: properties.failOn: must be "error" or "warning" (got ${JSON.stringify(props.failOn)}); fix the validations entry in cdk8s.yaml`);
    }
    if (props.maxFileBytes !== undefined && !(Number.isSafeInteger(props.maxFileBytes) && props.maxFileBytes > 0)) {
      throw new Error(`IstioAmbientValidation: properties.maxFileBytes: must be a positive whole number of bytes (got ${JSON.stringify(props.maxFileBytes)}); e.g. maxFileBytes: 134217728 for 128 MiB`);
    }
    const raw = props.ignore === undefined ? [] : typeof props.ignore === 'string' ? [props.ignore] : props.ignore;
    if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) {
      throw new Error(`IstioAmbientValidation: properties.ignore: must be a string or a list of strings (got ${JSON.stringify(props.ignore)}); write e.g. ignore: ["BA011: demo credentials"]`);
    }
    try {
      this.ignore = parseIgnoreList(raw, 'properties.ignore');
    } catch (e) {
      if (e instanceof IgnoreListError) throw new Error(`IstioAmbientValidation: ${e.message}; fix the validations entry in cdk8s.yaml`);
      throw e;
    }
    this.props = { ...props };
  }

  private readonly ignore: IgnoreEntry[];

  public async validate(context: ValidationContextShape): Promise<void> {
    const loaded = loadManifests(context.manifests, { maxFileBytes: this.props.maxFileBytes });
    for (const e of loaded.errors) {
      context.report.addViolation({
        ruleName: 'LOAD (error): manifest cannot be read',
        recommendation: escapeControls(`${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`),
        fix: 'make the app write valid YAML',
        violatingResources: [{ resourceName: '', locations: [], manifestPath: e.file }],
      });
    }
    const loadWarnings = loaded.warnings ?? [];
    for (const w of loadWarnings) {
      context.report.addViolation({
        ruleName: 'LOAD (warning): manifest holds no object',
        recommendation: escapeControls(`${w.file}: ${w.message}`),
        fix: 'leave the file out, or make the app write its objects into it',
        violatingResources: [{ resourceName: '', locations: [], manifestPath: w.file }],
      });
    }
    let findings;
    try {
      // a fleet's manifests (clusters/<name>/...) are checked cluster by cluster
      findings = analyzeByCluster(loaded.objects, [commonFolder(context.manifests)], {
        rootNamespace: this.props.rootNamespace, defaultNamespace: this.props.defaultNamespace, ignore: this.ignore, ignoreWhere: 'properties.ignore',
      }).findings;
    } catch (e) {
      // a crash in a rule fails the report in one line instead of aborting cdk8s with a stack
      context.report.addViolation({
        ruleName: 'INTERNAL (error): the rules failed on this input', recommendation: firstLine(e), fix: 'report this input to cdk8s-istio-ambient',
        violatingResources: [],
      });
      context.report.submit('failure');
      return;
    }
    for (const f of findings) {
      const ns = f.namespace === '' ? '' : `${f.namespace}/`;
      context.report.addViolation({
        ruleName: `${f.code} (${f.severity}${f.suppressed ? ', suppressed' : ''}): ${TITLES.get(f.code) ?? ''}`,
        // the same words as at synth and in `analyze`, origin included (file:line of the written manifest)
        recommendation: escapeControls(`${f.kind} ${ns}${f.name} (${f.origin}): ${f.field}: ${f.message} (got ${f.value})${suppressionSuffix(f)}`),
        fix: f.fix,
        // cdk8s maps resourceName to the construct path through its construct metadata
        violatingResources: [{ resourceName: f.name, locations: [f.field], manifestPath: parseOrigin(f.origin).file }],
      });
    }
    const errors = findings.filter((f) => f.severity === Severity.ERROR && !f.suppressed).length;
    const suppressed = findings.filter((f) => f.suppressed).length;
    const warnings = findings.length - errors - suppressed;
    const failing = loaded.errors.length > 0 || errors > 0 || (this.props.failOn === FailOn.WARNING && warnings + loadWarnings.length > 0);
    context.logger.log(`cdk8s-istio-ambient: ${summaryLine({ errors, warnings, objects: loaded.objects.length, files: loaded.files.length, loadErrors: loaded.errors.length, loadWarnings: loadWarnings.length, suppressed })}`);
    context.report.submit(failing ? 'failure' : 'success', {
      errors: String(errors), warnings: String(warnings), objects: String(loaded.objects.length), ...(suppressed > 0 ? { suppressed: String(suppressed) } : {}),
    });
  }
}
