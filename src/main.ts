// The seed app: the final state of Istio's "Extend waypoints with WebAssembly plugins" task, synthesized to dist/.
import { App } from 'cdk8s';
import { SeedScenario } from './samples/seed-scenario';

const app = new App();
new SeedScenario(app, 'default');
// seed 003's legacy form (singular targetRef, sleep client) in a namespace of its own, on request
const legacyNamespace = process.env.SEED_LEGACY_NAMESPACE;
if (legacyNamespace) new SeedScenario(app, legacyNamespace, { namespace: legacyNamespace, legacy: true });
app.synth();
