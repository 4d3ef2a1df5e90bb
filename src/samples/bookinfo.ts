import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { namespaceOf } from '../private/names';
import { SampleService } from './sample-service';

/** Props of {@link Bookinfo}. */
export interface BookinfoProps {
  /** @default - the enclosing AmbientNamespace or chart namespace, else "default" */
  readonly namespace?: string;
}

/** Image tag of Istio 1.30.3's Bookinfo sample. */
const BOOKINFO_TAG = '1.20.3';

/**
 * Istio 1.30.3's Bookinfo sample (`samples/bookinfo/platform/kube/bookinfo.yaml`), object for object and
 * field for field, with the namespace set explicitly. Built from plain API objects: no added defaults.
 *
 * @see https://istio.io/latest/docs/examples/bookinfo/
 */
export class Bookinfo extends Construct {
  /** Service `details`. */
  public readonly details: SampleService;
  /** Service `ratings`. */
  public readonly ratings: SampleService;
  /** Service `reviews`. */
  public readonly reviews: SampleService;
  /** Service `productpage`. */
  public readonly productpage: SampleService;
  /** Namespace the sample lands in. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: BookinfoProps = {}) {
    super(scope, id);
    const ns = namespaceOf(this, props.namespace);
    this.namespace = ns;
    // one Service, one ServiceAccount, then the Deployments of each app, in the sample's order
    this.details = this.app('details', ['v1']);
    this.ratings = this.app('ratings', ['v1']);
    this.reviews = this.app('reviews', ['v1', 'v2', 'v3']);
    this.productpage = this.app('productpage', ['v1']);
  }

  private app(name: string, versions: string[]): SampleService {
    const ns = this.namespace;
    const service = new SampleService(this, `${name}-service`, {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: ns, labels: { app: name, service: name } },
      spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: name } },
    });
    new ApiObject(this, `${name}-serviceaccount`, {
      apiVersion: 'v1', kind: 'ServiceAccount',
      metadata: { name: `bookinfo-${name}`, namespace: ns, labels: { account: name } },
    });
    for (const v of versions) {
      const labels = { app: name, version: v };
      new ApiObject(this, `${name}-${v}`, {
        apiVersion: 'apps/v1', kind: 'Deployment',
        metadata: { name: `${name}-${v}`, namespace: ns, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { ...labels } },
          template: {
            // two literals, not a spread of either: V8 gives objects that open with a spread of varying shape a
            // hidden class each (see model/merged.ts)
            metadata: name === 'productpage'
              ? { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9080', 'prometheus.io/path': '/metrics' }, labels: { ...labels } }
              : { labels: { ...labels } },
            spec: podSpec(name, v),
          },
        },
      });
    }
    return service;
  }
}

function podSpec(name: string, version: string): any {
  const container: any = {
    name,
    image: `registry.istio.io/release/examples-bookinfo-${name}-${version}:${BOOKINFO_TAG}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: 9080 }],
  };
  if (name === 'reviews') {
    // the Liberty server of reviews writes logs and output under these paths
    container.env = [{ name: 'LOG_DIR', value: '/tmp/logs' }];
    container.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'wlp-output', mountPath: '/opt/ibm/wlp/output' }];
    return { serviceAccountName: `bookinfo-${name}`, containers: [container], volumes: [{ name: 'wlp-output', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] };
  }
  if (name === 'productpage') {
    container.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }];
    return { serviceAccountName: `bookinfo-${name}`, containers: [container], volumes: [{ name: 'tmp', emptyDir: {} }] };
  }
  return { serviceAccountName: `bookinfo-${name}`, containers: [container] };
}
