import { Construct } from 'constructs';
import { AmbientNamespace } from '../ambient/ambient-namespace';
import { Waypoint } from '../ambient/waypoint';
import { HttpMethod } from '../core/http-method';
import { BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, PathMatch } from '../wasm/basic-auth';
import { PolicyTarget } from '../core/policy-target';
import { Bookinfo } from './bookinfo';
import { BookinfoGateway } from './bookinfo-gateway';
import { Curl, Sleep } from './clients';

/** Props of {@link SeedScenario}. */
export interface SeedScenarioProps {
  /**
   * Namespace of the scenario (adopted if it exists).
   *
   * @default "default", as in the Istio docs
   */
  readonly namespace?: string;
  /**
   * Reproduce the older doc ("Distributing WebAssembly Modules"): singular `targetRef`, the `sleep` client,
   * and no Service-targeted plugin.
   *
   * @default false
   */
  readonly legacy?: boolean;
}

/**
 * The end state of Istio's "Extend waypoints with WebAssembly plugins" task: Bookinfo and curl in an ambient
 * namespace with its waypoint, the `bookinfo-gateway` ingress and its route, and the three basic-auth plugins
 * (at the gateway, at the waypoint, for the `reviews` Service).
 *
 * @see https://istio.io/latest/docs/ambient/usage/extend-waypoint-wasm/
 */
export class SeedScenario extends AmbientNamespace {
  /** The Bookinfo sample. */
  public readonly bookinfo: Bookinfo;
  /** The ingress gateway and route. */
  public readonly ingress: BookinfoGateway;
  /** The namespace waypoint. */
  public readonly namespaceWaypoint: Waypoint;
  private readonly _plugins: BasicAuthPlugin[];

  /** The plugins, in the order the task applies them (a copy). */
  public get plugins(): BasicAuthPlugin[] {
    return [...this._plugins];
  }

  constructor(scope: Construct, id: string, props: SeedScenarioProps = {}) {
    super(scope, id, { name: props.namespace ?? 'default' });
    const legacy = props.legacy ?? false;
    this.bookinfo = new Bookinfo(this, 'Bookinfo');
    if (legacy) new Sleep(this, 'Sleep'); else new Curl(this, 'Curl');
    this.ingress = new BookinfoGateway(this, 'BookinfoGateway');
    this.namespaceWaypoint = this.addWaypoint('Waypoint');

    const credentials = [BasicAuthCredential.plain('ok', 'test'), BasicAuthCredential.encoded('YWRtaW4zOmFkbWluMw==')];
    const productpageRule = new BasicAuthRule({ match: PathMatch.prefix('/productpage'), methods: [HttpMethod.GET, HttpMethod.POST], credentials });
    this._plugins = [
      new BasicAuthPlugin(this, 'BasicAuthAtGateway', {
        name: 'basic-auth-at-gateway', targets: [this.ingress.gateway], legacyTargetRef: legacy, rules: [productpageRule],
      }),
      new BasicAuthPlugin(this, 'BasicAuthAtWaypoint', {
        name: 'basic-auth-at-waypoint', targets: [this.namespaceWaypoint], legacyTargetRef: legacy, rules: [productpageRule],
      }),
    ];
    if (!legacy) {
      this._plugins.push(new BasicAuthPlugin(this, 'BasicAuthForService', {
        name: 'basic-auth-for-service',
        targets: [PolicyTarget.fromService(this.bookinfo.reviews)],
        rules: [new BasicAuthRule({
          match: PathMatch.prefix('/reviews'), methods: [HttpMethod.GET, HttpMethod.POST],
          credentials: [BasicAuthCredential.plain('ok', 'test'), BasicAuthCredential.encoded('MXQtaW4zOmFkbWluMw==')],
        })],
      }));
    }
  }
}
