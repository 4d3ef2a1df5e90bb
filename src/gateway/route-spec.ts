/**
 * What HttpRoute and GrpcRoute share: the checks of their name, hostnames and parents, and the spec around their
 * rules. Internal to the gateway constructs (not exported from src/index.ts).
 */
import { Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { throwIfProblems } from '../private/names';
import { FieldProblem, Severity } from '../rules/finding';
import { checkObjectName } from '../rules/wasm-fields';
import { RouteParent, checkHostname } from './route-parent';

/** The CRD's list limits a route construct enforces at once. */
export interface RouteListLimits {
  readonly parentRefs: number;
  readonly hostnames: number;
}

/**
 * Problems of a route's own fields, in this order: the name, each hostname (GW021, `hostnameFix` as the fix),
 * no parent (GW020), then the list limits when given.
 */
export function routeHeadProblems(name: string, hostnames: readonly string[], parents: readonly RouteParent[], hostnameFix: string, limits?: RouteListLimits): FieldProblem[] {
  const problems: FieldProblem[] = [...checkObjectName(name)];
  hostnames.forEach((h, i) => {
    const bad = checkHostname(h);
    if (bad) problems.push({ code: 'GW021', severity: Severity.ERROR, field: `spec.hostnames[${i}]`, message: bad, value: h, fix: hostnameFix });
  });
  if (parents.length === 0) {
    problems.push({ code: 'GW020', severity: Severity.ERROR, field: 'spec.parentRefs', message: 'is empty: the route attaches to no gateway', value: [], fix: 'pass gateway (an IngressGateway) or parents' });
  }
  if (limits && parents.length > limits.parentRefs) {
    problems.push({ code: 'GW020', severity: Severity.ERROR, field: 'spec.parentRefs', message: `has more than ${limits.parentRefs} entries (the CRD allows ${limits.parentRefs})`, value: parents.length, fix: 'split the route' });
  }
  if (limits && hostnames.length > limits.hostnames) {
    problems.push({ code: 'GW021', severity: Severity.ERROR, field: 'spec.hostnames', message: `has more than ${limits.hostnames} entries (the CRD allows ${limits.hostnames})`, value: hostnames.length, fix: 'split the route' });
  }
  return problems;
}

/** A route's spec: its parents, its hostnames when any, and its rules, rendered at synth (they can still grow). */
export function routeSpec(parents: readonly RouteParent[], hostnames: readonly string[], namespace: string, rules: () => any[]): any {
  return {
    parentRefs: parents.map((p) => p._toParentRef(namespace)),
    ...(hostnames.length ? { hostnames: [...hostnames] } : {}),
    rules: Lazy.any({ produce: rules }),
  };
}

/** A thrower of the GW023 problem of rule `index` of a route (`field` below `spec.rules[index]`), naming the route. */
export function ruleProblem(route: { readonly namespace: string; readonly name: string } & IConstruct, kind: string, index: number) {
  return (field: string, message: string, value: unknown, fix: string): void =>
    throwIfProblems(route, kind, route.namespace, route.name, [{ code: 'GW023', severity: Severity.ERROR, field: `spec.rules[${index}].${field}`, message, value, fix }]);
}
