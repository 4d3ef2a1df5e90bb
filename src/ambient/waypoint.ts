import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct } from 'constructs';
import { Gateway as GatewayL1, GatewayProps as GatewayL1Props } from '../imports/gateway.networking.k8s.io';
import { crdObject } from '../private/crd-object';
import { IPolicyTarget, PolicyTargetReference } from '../core/policy-target';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { checkWaypointFor, checkWaypointName } from '../rules/ambient';
import { checkLabelName, checkObjectName } from '../rules/wasm-fields';
import { AmbientLabels } from './labels';
import { IService, serviceRefOf } from '../core/service';
import { checkEnumValue, constructWhere, optionalProps } from '../private/props';

/** What a waypoint accepts (`istio.io/waypoint-for`, `istioctl waypoint apply --for`). */
export enum WaypointTraffic {
  /** Traffic addressed to Services and ServiceEntries (istiod's default). */
  SERVICE = 'service',
  /** Traffic addressed to pod IPs. Service-targeted plugins never apply at such a waypoint. */
  WORKLOAD = 'workload',
  /** Both. */
  ALL = 'all',
  /** Nothing: the waypoint processes no traffic. */
  NONE = 'none',
}

/** Which namespaces may bind to a waypoint (its HBONE listener's `allowedRoutes.namespaces.from`). */
export enum WaypointNamespaces {
  /** Only the waypoint's own namespace (what istioctl creates). */
  SAME = 'Same',
  /** Every namespace. */
  ALL = 'All',
}

/** Options for a waypoint, as the flags of `istioctl waypoint apply`. */
export interface WaypointOptions {
  /**
   * Name of the waypoint Gateway (`--name`). `none` is refused: it is the opt-out word.
   *
   * @default "waypoint"
   */
  readonly name?: string;

  /**
   * Traffic the waypoint accepts (`--for`); rendered as the `istio.io/waypoint-for` label only when set.
   *
   * @default - no label: istiod treats the waypoint as `service`
   */
  readonly trafficType?: WaypointTraffic;

  /**
   * Istio revision (`--revision`), rendered as the `istio.io/rev` label.
   *
   * @default - no revision label
   */
  readonly revision?: string;

  /**
   * Namespaces whose Services and pods may use this waypoint. istioctl sets nothing, which means the
   * waypoint's own namespace only.
   *
   * @default - no allowedRoutes (own namespace only), exactly as istioctl creates it
   */
  readonly allowedNamespaces?: WaypointNamespaces;
}

/** Props of {@link Waypoint}. */
export interface WaypointProps extends WaypointOptions {
  /**
   * Namespace of the waypoint.
   *
   * @default - the enclosing AmbientNamespace or chart namespace, else "default"
   */
  readonly namespace?: string;
}

const WAYPOINT_SYMBOL = Symbol.for('cdk8s-istio-ambient.Waypoint');

/**
 * A waypoint proxy: exactly the Gateway `istioctl waypoint apply` creates (class `istio-waypoint`,
 * listener `mesh` on 15008/HBONE).
 *
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 */
export class Waypoint extends Construct implements IPolicyTarget {
  /** Whether `x` is a Waypoint (works across copies of the library). */
  public static isWaypoint(x: any): x is Waypoint {
    return x !== null && typeof x === 'object' && WAYPOINT_SYMBOL in x;
  }

  /** Name of the waypoint Gateway (also its Deployment and Service). */
  public readonly name: string;
  /** Namespace of the waypoint. */
  public readonly namespace: string;
  /** Traffic type, when set explicitly. */
  public readonly trafficType?: WaypointTraffic;
  /** The Gateway object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: WaypointProps = {}) {
    super(scope, id);
    props = optionalProps(constructWhere('Waypoint', this), props, 'pass { trafficType: WaypointTraffic.SERVICE }, or no props');
    checkEnumValue(constructWhere('Waypoint', this), 'allowedNamespaces', props.allowedNamespaces, WaypointNamespaces, 'WaypointNamespaces');
    Object.defineProperty(this, WAYPOINT_SYMBOL, { value: true });
    this.name = props.name ?? 'waypoint';
    this.namespace = namespaceOf(this, props.namespace);
    this.trafficType = props.trafficType;
    throwIfProblems(this, 'Gateway', this.namespace, this.name,
      [...checkObjectName(this.name), ...checkWaypointName(this.name), ...checkLabelName(this.namespace, 'metadata.namespace'),
        // istioctl refuses any other --for value, and istiod would take such a waypoint as taking nothing
        ...checkWaypointFor(props.trafficType, 'metadata.labels["istio.io/waypoint-for"]')]);

    const labels: Record<string, string> = {};
    if (props.trafficType !== undefined) labels[AmbientLabels.WAYPOINT_FOR] = props.trafficType;
    if (props.revision !== undefined) labels[AmbientLabels.REVISION] = props.revision;
    this.apiObject = crdObject<GatewayL1Props>(this, 'Resource', GatewayL1.GVK, {
      metadata: { name: this.name, namespace: this.namespace, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{
          name: 'mesh',
          port: 15008,
          protocol: 'HBONE',
          ...(props.allowedNamespaces ? { allowedRoutes: { namespaces: { from: props.allowedNamespaces as any } } } : {}),
        }],
      },
    });
    MeshContext.of(this).own(this, this.apiObject);
  }

  /** Targets this waypoint (every Service it serves). */
  public toTargetRef(): PolicyTargetReference {
    return { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.name, namespace: this.namespace };
  }

  /**
   * Binds one Service (a sample Service, a `kplus.Service`, or a raw `ApiObject` through
   * `ServiceReference.fromApiObject()`) to this waypoint with `istio.io/use-waypoint`, plus
   * `istio.io/use-waypoint-namespace` when it lives elsewhere.
   */
  public bindService(service: IService): void {
    serviceRefOf(service, `Waypoint ${this.namespace}/${this.name} (${this.node.path}): bindService`);
    this.bind(service.metadata);
  }

  /** Binds one Istio ServiceEntry (`networking.istio.io`) to this waypoint, as {@link bindService} does a Service. */
  public bindServiceEntry(serviceEntry: ApiObject): void {
    if (!ApiObject.isApiObject(serviceEntry) || serviceEntry.kind !== 'ServiceEntry' || serviceEntry.apiGroup !== 'networking.istio.io') {
      const what = ApiObject.isApiObject(serviceEntry) ? `${serviceEntry.apiVersion}/${serviceEntry.kind} at ${serviceEntry.node.path}` : typeof serviceEntry;
      throw new Error(`Waypoint ${this.namespace}/${this.name} (${this.node.path}): bindServiceEntry: serviceEntry: must be a networking.istio.io ServiceEntry (got ${JSON.stringify(what)}); pass the ServiceEntry's ApiObject, or bind a Service with bindService()`);
    }
    this.bind(serviceEntry.metadata);
  }

  private bind(metadata: ApiObjectMetadataDefinition): void {
    metadata.addLabel(AmbientLabels.USE_WAYPOINT, this.name);
    if ((metadata.namespace ?? 'default') !== this.namespace) {
      metadata.addLabel(AmbientLabels.USE_WAYPOINT_NAMESPACE, this.namespace);
    }
    MeshContext.of(this).invalidate();
  }
}
