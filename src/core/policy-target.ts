// core/: the reference and value types every construct folder shares (targets, Services, HTTP methods), so that
// ambient/, wasm/ and gateway/ import them from below and never each other in a circle
import { IService, serviceRefOf } from './service';

/**
 * A reference to the object a policy attaches to, rendered as one `targetRefs` entry.
 *
 * @see https://istio.io/latest/docs/reference/config/type/workload-selector/#PolicyTargetReference
 */
export interface PolicyTargetReference {
  /** API group; `""` for core (Service). */
  readonly group: string;
  /** Kind: Gateway, GatewayClass, Service or ServiceEntry. */
  readonly kind: string;
  /** Name of the target object. */
  readonly name: string;
  /**
   * Namespace of the target. Rendered only when it differs from the plugin's, which Istio rejects:
   * the library then reports it at synth.
   *
   * @default - the plugin's namespace
   */
  readonly namespace?: string;
}

/** Anything a WasmPlugin can target: a waypoint, an ingress Gateway, a Service, a ServiceEntry, a GatewayClass. */
export interface IPolicyTarget {
  /** The `targetRefs` entry that points at this object. */
  toTargetRef(): PolicyTargetReference;
}

class StaticTarget implements IPolicyTarget {
  constructor(private readonly ref: PolicyTargetReference) {}
  public toTargetRef(): PolicyTargetReference {
    return { ...this.ref };
  }
}

/** Factories for targets not defined in this app, or defined by other construct libraries. */
export class PolicyTarget {
  /** A Gateway API Gateway (ingress of class `istio`, or a waypoint) by name, in the plugin's namespace. */
  public static gateway(name: string): IPolicyTarget {
    return new StaticTarget({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name });
  }

  /** A Kubernetes Service by name, in the plugin's namespace; applies at the Service's waypoint only. */
  public static service(name: string): IPolicyTarget {
    return new StaticTarget({ group: '', kind: 'Service', name });
  }

  /**
   * A Service defined in this app: a sample Service (`bookinfo.reviews`), a `kplus.Service`, or a raw `ApiObject`
   * through `ServiceReference.fromApiObject()`. Applies at the Service's waypoint only.
   *
   * The namespace is read from the object, so a Service in another namespace is reported at synth.
   */
  public static fromService(service: IService): IPolicyTarget {
    const { name, namespace } = serviceRefOf(service, 'PolicyTarget.fromService');
    return new StaticTarget({ group: '', kind: 'Service', name, namespace });
  }

  /** An Istio ServiceEntry by name, in the plugin's namespace. */
  public static serviceEntry(name: string): IPolicyTarget {
    return new StaticTarget({ group: 'networking.istio.io', kind: 'ServiceEntry', name });
  }

  /**
   * A GatewayClass. Only `istio-waypoint`, and only from the root namespace, matches anything:
   * then every waypoint in the mesh.
   *
   * @default "istio-waypoint"
   */
  public static gatewayClass(name: string = 'istio-waypoint'): IPolicyTarget {
    return new StaticTarget({ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name });
  }

  private constructor() {}
}
