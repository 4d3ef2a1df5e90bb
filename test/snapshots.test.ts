// One snapshot per construct's default case; the behaviour behind each is asserted in the construct's own tests.
import { Testing } from 'cdk8s';
import { AmbientNamespace, BasicAuthCredential, BasicAuthPlugin, BasicAuthRule, Bookinfo, Curl, HttpMethod, IngressGateway, PathMatch } from '../src';

test('default constructs', () => {
  const ns = new AmbientNamespace(Testing.app(), 'shop');
  const waypoint = ns.addWaypoint();
  new IngressGateway(ns, 'Edge', { name: 'edge' });
  new Bookinfo(ns, 'Bookinfo');
  new Curl(ns, 'Curl');
  new BasicAuthPlugin(ns, 'Auth', {
    name: 'auth', targets: [waypoint],
    rules: [new BasicAuthRule({ match: PathMatch.prefix('/productpage'), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain('ok', 'test')] })],
  });
  const out = Testing.synth(ns);
  expect(out.map((m) => `${m.kind}/${m.metadata.name}`)).toContain('WasmPlugin/auth');
  expect(out).toMatchSnapshot();
});
