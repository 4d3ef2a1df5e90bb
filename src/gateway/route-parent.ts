import type { IngressGateway } from './ingress-gateway';

/** Options of a route parent: which listener of the Gateway. */
export interface RouteParentOptions {
  /**
   * The listener's name (`sectionName`).
   *
   * @default - every listener of the Gateway that admits the route
   */
  readonly sectionName?: string;
  /**
   * The listener's port.
   *
   * @default - any port
   */
  readonly port?: number;
}

/** Options of {@link RouteParent.fromGatewayName}. */
export interface RouteParentNameOptions extends RouteParentOptions {
  /** Namespace of the Gateway. @default - the route's namespace */
  readonly namespace?: string;
}

/**
 * A route's parent: an ingress Gateway, or one of its listeners (`parentRefs`). Typed from the `IngressGateway`
 * construct, or by name for a Gateway defined elsewhere (checked at synth against the manifests, GW020).
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#parentreference
 */
export class RouteParent {
  /** A Gateway of this app, or one of its listeners. */
  public static fromGateway(gateway: IngressGateway, options: RouteParentOptions = {}): RouteParent {
    return new RouteParent(gateway.name, gateway.namespace, options);
  }

  /** A Gateway by name, for Gateways not defined in this app. */
  public static fromGatewayName(name: string, options: RouteParentNameOptions = {}): RouteParent {
    return new RouteParent(name, options.namespace, options);
  }

  /** Gateway name. */
  public readonly gatewayName: string;
  /** Gateway namespace, when known. */
  public readonly namespace?: string;
  /** Listener name, when set. */
  public readonly sectionName?: string;
  /** Listener port, when set. */
  public readonly port?: number;

  private constructor(name: string, namespace: string | undefined, options: RouteParentOptions) {
    if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) {
      throw new Error(`RouteParent ${JSON.stringify(name)}: port: must be a listener port from 1 to 65535 (got ${JSON.stringify(options.port)}); pass the listener's port, or leave it unset`);
    }
    if (options.sectionName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(options.sectionName)) {
      throw new Error(`RouteParent ${JSON.stringify(name)}: sectionName: must be a listener name, a lowercase RFC 1123 subdomain (got ${JSON.stringify(options.sectionName)}); pass the name of one of the Gateway's listeners`);
    }
    this.gatewayName = name;
    this.namespace = namespace;
    this.sectionName = options.sectionName;
    this.port = options.port;
  }

  /** @internal the parentRef, with the namespace only when it differs from the route's */
  public _toParentRef(routeNamespace: string): any {
    return {
      name: this.gatewayName,
      ...(this.namespace !== undefined && this.namespace !== routeNamespace ? { namespace: this.namespace } : {}),
      ...(this.sectionName !== undefined ? { sectionName: this.sectionName } : {}),
      ...(this.port !== undefined ? { port: this.port } : {}),
    };
  }
}

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A route or listener hostname as the Gateway API CRD accepts it: lower case, an optional leading `*.` label. */
export function checkHostname(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length <= 253 && HOSTNAME.test(value)) return undefined;
  return 'must be a lowercase DNS name, optionally starting with "*." (no port, no IP address)';
}
