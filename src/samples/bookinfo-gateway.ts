import { Construct } from 'constructs';
import { HttpBackend } from '../gateway/backend';
import { HttpRoute, HttpRouteMatch } from '../gateway/http-route';
import { IngressGateway } from '../gateway/ingress-gateway';

/** Props of {@link BookinfoGateway}. */
export interface BookinfoGatewayProps {
  /** @default - the enclosing AmbientNamespace or chart namespace, else "default" */
  readonly namespace?: string;
}

/**
 * Istio 1.30.3's `samples/bookinfo/gateway-api/bookinfo-gateway.yaml`: Gateway `bookinfo-gateway` (class `istio`,
 * HTTP on 80) and HTTPRoute `bookinfo` to `productpage:9080`.
 */
export class BookinfoGateway extends Construct {
  /** The ingress gateway `bookinfo-gateway`. */
  public readonly gateway: IngressGateway;
  /** The route `bookinfo`. */
  public readonly route: HttpRoute;

  constructor(scope: Construct, id: string, props: BookinfoGatewayProps = {}) {
    super(scope, id);
    this.gateway = new IngressGateway(this, 'Gateway', { name: 'bookinfo-gateway', namespace: props.namespace });
    this.route = this.gateway.addHttpRoute('Route', {
      name: 'bookinfo',
      rules: [{
        matches: [
          HttpRouteMatch.exact('/productpage'),
          HttpRouteMatch.pathPrefix('/static'),
          HttpRouteMatch.exact('/login'),
          HttpRouteMatch.exact('/logout'),
          HttpRouteMatch.pathPrefix('/api/v1/products'),
        ],
        backends: [HttpBackend.fromServiceName('productpage', { port: 9080 })],
      }],
    });
  }
}
