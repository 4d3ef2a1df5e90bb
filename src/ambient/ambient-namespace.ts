import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { MeshContext } from '../private/mesh-context';
import { throwIfProblems } from '../private/names';
import { checkLabelName } from '../rules/wasm-fields';
import { AmbientLabels } from './labels';
import { Waypoint, WaypointOptions } from './waypoint';
import { merged } from '../model/merged';
import { checkMetadataMap, checkOptionalBoolean, constructWhere, optionalProps, propError } from '../private/props';

/** Props of {@link AmbientNamespace}. */
export interface AmbientNamespaceProps {
  /**
   * Name of the Namespace. Use an existing name such as `default` to adopt it: applying the object adds the
   * ambient labels to the namespace that is already there.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Extra labels for the Namespace object.
   *
   * @default - only the ambient labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations for the Namespace object.
   *
   * @default - none
   */
  readonly annotations?: { [key: string]: string };

  /**
   * Send ingress gateway traffic to the namespace's Services through their waypoint (`istio.io/ingress-use-waypoint:
   * "true"`), so waypoint plugins see it too. A Service's own label wins (`IngressUseWaypoint.onService`).
   *
   * @default - no label: ingress gateways send straight to the pods
   */
  readonly ingressUseWaypoint?: boolean;
}

/** Options of {@link AmbientNamespace.addWaypoint}. */
export interface AddWaypointOptions extends WaypointOptions {
  /**
   * Label the namespace `istio.io/use-waypoint: <name>` (`istioctl waypoint apply --enroll-namespace`).
   *
   * @default true
   */
  readonly enrollNamespace?: boolean;
}

const AMBIENT_NS_SYMBOL = Symbol.for('cdk8s-istio-ambient.AmbientNamespace');

/**
 * A namespace enrolled in Istio ambient mode (`istio.io/dataplane-mode: ambient`), and the chart that holds
 * what runs in it: every object defined inside lands in this namespace.
 *
 * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
 */
export class AmbientNamespace extends Chart {
  /** Whether `x` is an AmbientNamespace (works across copies of the library). */
  public static isAmbientNamespace(x: any): x is AmbientNamespace {
    return x !== null && typeof x === 'object' && AMBIENT_NS_SYMBOL in x;
  }

  /** The AmbientNamespace that encloses `c` (or is `c`); throws when there is none. */
  public static enclosing(c: IConstruct): AmbientNamespace {
    return enclosingOrThrow(c, 'enclosing');
  }

  /**
   * The AmbientNamespace that encloses `c` (or is `c`); throws when there is none.
   *
   * @deprecated use `AmbientNamespace.enclosing()`. TypeScript only: it narrows `Chart.of()`'s return type,
   * which jsii cannot express in the other languages, so it is left out of the jsii assembly.
   * @jsii ignore
   */
  public static of(c: IConstruct): AmbientNamespace {
    return enclosingOrThrow(c, 'of');
  }

  /** Name of the namespace. */
  public readonly namespaceName: string;
  /** The Namespace object. */
  public readonly apiObject: ApiObject;
  private _waypoint?: Waypoint;

  constructor(scope: Construct, id: string, props: AmbientNamespaceProps = {}) {
    const where = constructWhere('AmbientNamespace', scope, id);
    props = optionalProps(where, props, 'pass { name: "shop" }, or no props');
    checkMetadataMap(where, 'labels', props.labels);
    checkMetadataMap(where, 'annotations', props.annotations);
    checkOptionalBoolean(where, 'ingressUseWaypoint', props.ingressUseWaypoint);
    const name = props.name ?? id;
    super(scope, id, { namespace: name, disableResourceNameHashes: true });
    Object.defineProperty(this, AMBIENT_NS_SYMBOL, { value: true });
    this.namespaceName = name;
    throwIfProblems(this, 'Namespace', '', name, checkLabelName(name));
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          ...props.labels,
          [AmbientLabels.DATAPLANE_MODE]: 'ambient',
          ...(props.ingressUseWaypoint !== undefined ? { [AmbientLabels.INGRESS_USE_WAYPOINT]: props.ingressUseWaypoint ? 'true' : 'false' } : {}),
        },
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
    });
    // a Namespace is cluster-scoped: drop the chart namespace cdk8s stamps on every object
    this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    MeshContext.of(this).own(this, this.apiObject);
  }

  /** The waypoint the namespace is enrolled with, if any. */
  public get waypoint(): Waypoint | undefined {
    return this._waypoint;
  }

  /**
   * Adds a waypoint in this namespace and, by default, enrolls the namespace with it, like
   * `istioctl waypoint apply --enroll-namespace`.
   */
  public addWaypoint(id: string = 'Waypoint', options: AddWaypointOptions = {}): Waypoint {
    const { enrollNamespace, ...waypointOptions } = options;
    const waypoint = new Waypoint(this, id, merged(waypointOptions, { namespace: this.namespaceName }));
    if (enrollNamespace ?? true) this.useWaypoint(waypoint);
    return waypoint;
  }

  /**
   * Sends the namespace's Service traffic through `waypoint` (`istio.io/use-waypoint`, plus
   * `istio.io/use-waypoint-namespace` for a waypoint in another namespace).
   */
  public useWaypoint(waypoint: Waypoint): void {
    if (!Waypoint.isWaypoint(waypoint)) {
      throw propError(constructWhere('AmbientNamespace', this), 'useWaypoint: waypoint', 'must be a Waypoint', waypoint, 'pass the Waypoint construct (addWaypoint() returns one), not its name');
    }
    this.apiObject.metadata.addLabel(AmbientLabels.USE_WAYPOINT, waypoint.name);
    if (waypoint.namespace !== this.namespaceName) {
      this.apiObject.metadata.addLabel(AmbientLabels.USE_WAYPOINT_NAMESPACE, waypoint.namespace);
    }
    this._waypoint = waypoint;
    MeshContext.of(this).invalidate();
  }

  /** Adds a label to the Namespace object. */
  public addLabel(key: string, value: string): void {
    this.apiObject.metadata.addLabel(key, value);
    MeshContext.of(this).invalidate();
  }
}

/** The AmbientNamespace enclosing `c`, if any (not part of the public API). */
export function findAmbientNamespace(c: IConstruct): AmbientNamespace | undefined {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    if (AmbientNamespace.isAmbientNamespace(s)) return s;
  }
  return undefined;
}

function enclosingOrThrow(c: IConstruct, method: string): AmbientNamespace {
  const found = findAmbientNamespace(c);
  if (!found) {
    throw new Error(`AmbientNamespace.${method} (${c.node.path}): no enclosing AmbientNamespace; define the construct inside one, or pass a namespace explicitly`);
  }
  return found;
}
