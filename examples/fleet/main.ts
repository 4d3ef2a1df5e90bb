// A fleet: three clusters, each running the seed scenario (Istio's "Extend waypoints with WebAssembly plugins"
// task), each with its own differences. Synthesized into $CDK8S_OUTDIR when set (cdk8s synth sets it), else dist/:
//   dist/clusters/<cluster>/default/   what Argo CD deploys to that cluster
//   dist/argocd/                       one ApplicationSet per cluster, and the AppProject
import {
  AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, BookinfoGateway, Cluster, Curl, GitOpsApp, HttpMethod, PathMatch,
  PolicyTarget, SeedScenario, WaypointTraffic,
} from '../../src';

const app = new GitOpsApp({
  argoCd: {
    repoUrl: 'https://github.com/example/mesh-fleet.git',
    path: 'examples/fleet/dist',
    targetRevision: 'main',
    project: 'bookinfo',
    createProject: true,
  },
  clusters: [
    // the cluster Argo CD runs in
    { name: 'dev', server: 'https://kubernetes.default.svc', labels: { env: 'dev' } },
    { name: 'staging', server: 'https://staging.k8s.example.com:6443', labels: { env: 'staging' } },
    // registered in Argo CD by name
    { name: 'prod', argoCdName: 'prod-eu-west-1', labels: { env: 'prod', region: 'eu-west-1' } },
  ],
});

const GET_POST = [HttpMethod.GET, HttpMethod.POST];

/** prod: the same scenario, with credentials from the vault and a waypoint of its own for reviews. */
function prodScenario(cluster: Cluster): void {
  const ns = new AmbientNamespace(cluster, 'default');
  const bookinfo = new Bookinfo(ns, 'Bookinfo');
  new Curl(ns, 'Curl');
  const ingress = new BookinfoGateway(ns, 'BookinfoGateway');
  const waypoint = ns.addWaypoint('Waypoint');
  // reviews is served by a waypoint of its own; the namespace waypoint serves the other Services
  const reviewsWaypoint = ns.addWaypoint('ReviewsWaypoint', { name: 'reviews-waypoint', enrollNamespace: false, trafficType: WaypointTraffic.SERVICE });
  reviewsWaypoint.bindService(bookinfo.reviews);
  const productpage = new BasicAuthRule({
    match: PathMatch.prefix('/productpage'), methods: GET_POST,
    credentials: [BasicAuthCredential.vault('secret/data/prod/bookinfo', 'productpage')],
  });
  new BasicAuthPlugin(ns, 'BasicAuthAtGateway', { name: 'basic-auth-at-gateway', targets: [ingress.gateway], rules: [productpage] });
  new BasicAuthPlugin(ns, 'BasicAuthAtWaypoint', { name: 'basic-auth-at-waypoint', targets: [waypoint], rules: [productpage] });
  new BasicAuthPlugin(ns, 'BasicAuthForService', {
    name: 'basic-auth-for-service', targets: [PolicyTarget.fromService(bookinfo.reviews)],
    rules: [new BasicAuthRule({
      match: PathMatch.prefix('/reviews'), methods: GET_POST,
      credentials: [BasicAuthCredential.vault('secret/data/prod/bookinfo', 'reviews')],
    })],
  });
}

for (const cluster of app.clusters) {
  if (cluster.labels.env === 'prod') {
    prodScenario(cluster);
    continue;
  }
  // dev and staging: the seed scenario as the Istio docs write it (demo credentials in plain text)
  const seed = new SeedScenario(cluster, 'default');
  if (cluster.labels.env === 'staging') {
    // a plugin only in staging: basic auth in front of the details Service too
    new BasicAuthPlugin(seed, 'BasicAuthForDetails', {
      name: 'basic-auth-for-details', targets: [PolicyTarget.fromService(seed.bookinfo.details)],
      rules: [new BasicAuthRule({ match: PathMatch.prefix('/details'), methods: GET_POST, credentials: [BasicAuthCredential.plain('ok', 'test')] })],
    });
  }
}

app.synth();
