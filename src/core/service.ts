import { ApiObject, ApiObjectMetadataDefinition } from 'cdk8s';
import { Node } from 'constructs';

/**
 * A Kubernetes Service defined in this app: what `PolicyTarget.fromService()`, `Waypoint.bindService()`,
 * `HttpBackend.fromService()` and `IngressUseWaypoint.onService()` take.
 *
 * The sample Services (`Bookinfo.reviews`, `Curl.service`, ...) implement it, and so does a cdk8s-plus
 * `kplus.Service` of any cdk8s-plus version, by its shape (this library depends on no cdk8s-plus). A Deployment,
 * a ConfigMap or a raw `ApiObject` does not: wrap an `ApiObject` with `ServiceReference.fromApiObject()`, which
 * checks its kind.
 */
export interface IService {
  /** The construct tree node (every construct has one), for its path in messages. */
  readonly node: Node;
  /** `v1`. */
  readonly apiVersion: string;
  /** Kubernetes kind: `Service`. */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /** `spec.type` (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`): what only a Service has. */
  readonly type: string;
  /** The object's metadata: its namespace, and the labels a waypoint binding adds. */
  readonly metadata: ApiObjectMetadataDefinition;
}

/** A raw ApiObject of kind Service, as an {@link IService}. */
class ApiObjectService implements IService {
  public readonly apiVersion: string;
  public readonly kind: string;
  public readonly name: string;
  public readonly type: string;
  public readonly metadata: ApiObjectMetadataDefinition;

  constructor(private readonly obj: ApiObject, type: string) {
    this.apiVersion = obj.apiVersion;
    this.kind = obj.kind;
    this.name = obj.name;
    this.type = type;
    this.metadata = obj.metadata;
  }

  public get node(): Node {
    return this.obj.node;
  }
}

/** Factories for {@link IService}. */
export class ServiceReference {
  /**
   * A Service written as a raw `ApiObject` (`apiVersion: v1`, `kind: Service`); anything else is refused.
   *
   * @param apiObject the Service object; for a construct that renders one, `ApiObject.of(construct)`
   * @param type its `spec.type`, which an ApiObject does not expose
   * @default type "ClusterIP"
   */
  public static fromApiObject(apiObject: ApiObject, type: string = 'ClusterIP'): IService {
    if (!ApiObject.isApiObject(apiObject) || apiObject.kind !== 'Service' || apiObject.apiGroup !== 'core') {
      const what = ApiObject.isApiObject(apiObject) ? `${apiObject.apiVersion}/${apiObject.kind}` : typeof apiObject;
      const where = ApiObject.isApiObject(apiObject) ? ` (${apiObject.node.path})` : '';
      throw new Error(`ServiceReference.fromApiObject${where}: apiObject: must be a v1 Service (got ${JSON.stringify(what)}); pass the ApiObject of a Service, or target other kinds with PolicyTarget.gateway() or PolicyTarget.serviceEntry()`);
    }
    return new ApiObjectService(apiObject, type);
  }

  private constructor() {}
}

/**
 * The Service's namespace and name, refusing what is not a Service (a JavaScript caller, or a class that declares
 * the shape but is something else). `where` starts the error message. Not part of the public API.
 */
export function serviceRefOf(service: IService, where: string): { name: string; namespace?: string } {
  if (!service || typeof service !== 'object' || service.apiVersion !== 'v1' || service.kind !== 'Service' || !service.metadata) {
    const kind = service && typeof service === 'object' ? `${service.apiVersion}/${service.kind}` : typeof service;
    const path = service?.node?.path !== undefined ? ` at ${service.node.path}` : '';
    throw new Error(`${where}: service: must be a v1 Service (got ${JSON.stringify(kind)}${path}); pass a sample Service, a kplus.Service, or ServiceReference.fromApiObject(apiObject)`);
  }
  return { name: service.name, namespace: service.metadata.namespace };
}
