import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { namespaceOf } from '../private/names';
import { SampleService } from './sample-service';

/** Props of the sample clients {@link Curl} and {@link Sleep}. */
export interface SampleClientProps {
  /** @default - the enclosing AmbientNamespace or chart namespace, else "default" */
  readonly namespace?: string;
}

const CLIENT_IMAGE = 'docker.io/curlimages/curl:8.16.0';

/** The ServiceAccount, Service and Deployment of Istio's curl-style sample clients. */
export abstract class SampleClient extends Construct {
  /** The client's Service. */
  public readonly service: SampleService;
  /** The client's Deployment (what `kubectl exec deploy/<name>` runs in). */
  public readonly deployment: ApiObject;
  /** Namespace of the client. */
  public readonly namespace: string;

  protected constructor(scope: Construct, id: string, name: string, props: SampleClientProps) {
    super(scope, id);
    const ns = namespaceOf(this, props.namespace);
    this.namespace = ns;
    new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
    this.service = new SampleService(this, 'Service', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: ns, labels: { app: name, service: name } },
      spec: { ports: [{ port: 80, name: 'http' }], selector: { app: name } },
    });
    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: 0,
            serviceAccountName: name,
            containers: [{
              name,
              image: CLIENT_IMAGE,
              command: ['/bin/sleep', 'infinity'],
              imagePullPolicy: 'IfNotPresent',
              volumeMounts: [{ mountPath: `/etc/${name}/tls`, name: 'secret-volume' }],
            }],
            volumes: [{ name: 'secret-volume', secret: { secretName: `${name}-secret`, optional: true } }],
          },
        },
      },
    });
  }
}

/**
 * Istio 1.30.3's `samples/curl/curl.yaml`: the client the ambient docs run `kubectl exec deploy/curl -- curl ...` in.
 */
export class Curl extends SampleClient {
  constructor(scope: Construct, id: string, props: SampleClientProps = {}) {
    super(scope, id, 'curl', props);
  }
}

/**
 * Istio 1.30.3's `samples/sleep/sleep.yaml`: the older name of the curl client (seed 003 uses `deploy/sleep`).
 */
export class Sleep extends SampleClient {
  constructor(scope: Construct, id: string, props: SampleClientProps = {}) {
    super(scope, id, 'sleep', props);
  }
}
