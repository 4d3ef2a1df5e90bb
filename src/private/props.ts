// checks of props as a JavaScript or jsii user may pass them (TypeScript's types are gone at run time): a wrong
// type is one line naming the construct path, the prop, the value and the fix, never a TypeError from deep inside.
// these check shapes only; what Istio makes of a well-typed value stays with the rules.
import { IConstruct } from 'constructs';
import { showValue } from '../rules/finding';

/** How a wrongly typed value is shown: data as JSON (credentials masked), an object of a class by its class. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && proto !== Object.prototype) return `a ${proto.constructor?.name || 'object'}`;
  }
  return showValue(value);
}

/** `<Kind> (<construct path>)`, for errors raised while a construct is being built. */
export function constructWhere(kind: string, scope: IConstruct, id?: string): string {
  const base = scope.node.path;
  const path = id === undefined ? base : base === '' ? id : `${base}/${id}`;
  return `${kind} (${path})`;
}

/** The one-line error of a prop with the wrong type or shape. */
export function propError(where: string, field: string, what: string, value: unknown, fix: string): Error {
  return new Error(`${where}: ${field}: ${what} (got ${describeValue(value)}); ${fix}`);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** Props that may be left out: `undefined` and `null` are no props; anything but a plain object is an error. */
export function optionalProps<T>(where: string, props: T | undefined | null, fix: string): T {
  if (props === undefined || props === null) return {} as T;
  if (!isPlainObject(props)) throw propError(where, 'props', 'must be an object of props', props, fix);
  return props;
}

/** Props that must be given: a plain object. */
export function requiredProps<T>(where: string, props: T | undefined | null, fix: string): T {
  if (!isPlainObject(props)) throw propError(where, 'props', props === undefined || props === null ? 'are required' : 'must be an object of props', props, fix);
  return props;
}

/** A string argument or prop (`optional`: undefined passes). */
export function checkString(where: string, field: string, value: unknown, fix: string, optional = false): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'string') throw propError(where, field, 'must be a string', value, fix);
}

/** A boolean prop that may be left out. */
export function checkOptionalBoolean(where: string, field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw propError(where, field, 'must be true or false', value, `pass ${field}: true or ${field}: false, or leave it out`);
}

/** A value of a TypeScript string enum (a JavaScript user may pass the string itself). */
export function checkEnumValue(where: string, field: string, value: unknown, values: Record<string, string>, enumName: string): void {
  if (value === undefined) return;
  const allowed = Object.values(values);
  if (typeof value !== 'string' || !allowed.includes(value)) {
    const names = Object.keys(values).map((k) => `${enumName}.${k}`).join(', ');
    throw propError(where, field, `must be one of ${names}`, value, `pass one of them, or leave ${field} out`);
  }
}

/** A list prop whose every entry passes `isEntry` (`optional`: undefined passes). */
export function checkList(where: string, field: string, value: unknown, isEntry: (v: unknown) => boolean, entry: string, fix: string, optional = true): void {
  if (optional && value === undefined) return;
  if (!Array.isArray(value)) throw propError(where, field, `must be a list, each entry ${entry}`, value, fix);
  value.forEach((v, i) => {
    if (!isEntry(v)) throw propError(where, `${field}[${i}]`, `must be ${entry}`, v, fix);
  });
}

// Kubernetes' label rules (apimachinery pkg/util/validation: IsQualifiedName for keys, IsValidLabelValue for values)
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined when it is one. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  const name = parts[parts.length - 1];
  if (parts.length > 2) return 'has more than one "/"';
  if (parts.length === 2 && (parts[0] === '' || parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))) return 'has a prefix that is not a lowercase DNS subdomain';
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return 'has a name part that is not 1 to 63 characters of A-Z, a-z, 0-9, "-", "_", "." starting and ending alphanumeric';
  return undefined;
}

/**
 * A `labels` or `annotations` map as the API server takes it: an object of strings, keys qualified names; label
 * values at most 63 characters of the name alphabet, or empty.
 */
export function checkMetadataMap(where: string, field: string, value: unknown, kind: 'labels' | 'annotations' = field === 'annotations' ? 'annotations' : 'labels'): void {
  if (value === undefined) return;
  const fix = kind === 'labels' ? `pass ${field} as { "app.kubernetes.io/part-of": "shop" }` : `pass ${field} as { "example.com/owner": "team-a" }`;
  if (!isPlainObject(value)) throw propError(where, field, 'must be an object of strings', value, fix);
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = qualifiedNameProblem(k);
    if (keyProblem) throw propError(where, `${field}[${JSON.stringify(k)}]`, `the key ${keyProblem}, so the API server refuses it`, k, fix);
    if (typeof v !== 'string') throw propError(where, `${field}[${JSON.stringify(k)}]`, 'must be a string', v, `quote the value, e.g. "${String(v)}"`);
    if (kind === 'labels' && v !== '' && (v.length > 63 || !NAME_PART.test(v))) {
      throw propError(where, `${field}[${JSON.stringify(k)}]`, 'is not a label value (at most 63 characters of A-Z, a-z, 0-9, "-", "_", ".", starting and ending alphanumeric), so the API server refuses it', v, 'shorten it or move it to an annotation');
    }
  }
}

/** Whether `v` can stand for a policy target: it answers `toTargetRef()` (a Waypoint, an IngressGateway, PolicyTarget.*()). */
export function isPolicyTargetLike(v: unknown): boolean {
  return v !== null && typeof v === 'object' && typeof (v as { toTargetRef?: unknown }).toTargetRef === 'function';
}

/** A free-form JSON map (a plugin's configuration): a plain object that JSON can write (no cycle, no BigInt). */
export function checkJsonMap(where: string, field: string, value: unknown, fix: string): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) throw propError(where, field, 'must be an object (the API server takes a map here)', value, fix);
  try {
    JSON.stringify(value);
  } catch (e) {
    const why = /circular/i.test(String((e as Error)?.message)) ? 'holds a cycle (an object that contains itself)' : 'holds a value JSON cannot write (a BigInt)';
    throw new Error(`${where}: ${field}: ${why}, so it cannot be written as YAML; ${fix}`);
  }
}
