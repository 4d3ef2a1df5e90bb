import { IService, serviceRefOf } from '../core/service';

/** Options of a route backend. */
export interface HttpBackendOptions {
  /** The Service port (`spec.ports[].port`, not the container's targetPort). */
  readonly port: number;
  /**
   * Share of the rule's traffic, relative to the other backends' weights; 0 sends it none.
   *
   * @default - not rendered (the Gateway API default: 1)
   */
  readonly weight?: number;
}

/** Options of {@link HttpBackend.fromServiceName}. */
export interface HttpBackendNameOptions extends HttpBackendOptions {
  /**
   * Namespace of the Service. Another namespace than the route's needs a ReferenceGrant there, or the gateway
   * answers 500 (reported at synth).
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;
}

/**
 * A backend of an HTTPRoute or GRPCRoute rule: a Service and port. Typed from the Service itself, so a typo cannot
 * reach the cluster; by name as an escape hatch for Services defined elsewhere (checked at synth against the
 * manifests).
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref
 */
export class HttpBackend {
  /**
   * A Service defined in this app: a sample Service (such as `Bookinfo.productpage`), a `kplus.Service` of any
   * cdk8s-plus version, or a raw `ApiObject` through `ServiceReference.fromApiObject()`. Its namespace is read
   * from the object.
   *
   * @example HttpBackend.fromService(bookinfo.productpage, { port: 9080 })
   */
  public static fromService(service: IService, options: HttpBackendOptions): HttpBackend {
    const { name, namespace } = serviceRefOf(service, 'HttpBackend.fromService');
    return new HttpBackend(name, namespace, options);
  }

  /** A Service by name, for Services not defined in this app. */
  public static fromServiceName(name: string, options: HttpBackendNameOptions): HttpBackend {
    return new HttpBackend(name, options?.namespace, options);
  }

  /** Service name. */
  public readonly serviceName: string;
  /** Service namespace, when known. */
  public readonly namespace?: string;
  /** Service port. */
  public readonly port: number;
  /** Weight, when set. */
  public readonly weight?: number;

  private constructor(name: string, namespace: string | undefined, options: HttpBackendOptions) {
    const what = `HttpBackend ${JSON.stringify(name)}`;
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      throw new Error(`${what}: name: must be a Service name, a lowercase RFC 1123 label (got ${JSON.stringify(name)}); pass the Service's metadata.name, not its hostname`);
    }
    if (!Number.isInteger(options?.port) || options.port < 1 || options.port > 65535) {
      throw new Error(`${what}: port: must be a Service port from 1 to 65535 (got ${JSON.stringify(options?.port)}); pass the port the Service declares`);
    }
    if (options.weight !== undefined && (!Number.isInteger(options.weight) || options.weight < 0 || options.weight > 1000000)) {
      throw new Error(`${what}: weight: must be an integer from 0 to 1000000 (got ${JSON.stringify(options.weight)}); weights are relative shares, e.g. 90 and 10`);
    }
    this.serviceName = name;
    this.namespace = namespace;
    this.port = options.port;
    this.weight = options.weight;
  }

  /** @internal the backendRef, with the namespace only when it differs from the route's */
  public _toBackendRef(routeNamespace: string, withWeight = true): any {
    return {
      name: this.serviceName,
      ...(this.namespace !== undefined && this.namespace !== routeNamespace ? { namespace: this.namespace } : {}),
      port: this.port,
      ...(withWeight && this.weight !== undefined ? { weight: this.weight } : {}),
    };
  }
}
