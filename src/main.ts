// The seed app: the final state of Istio's "Extend waypoints with WebAssembly plugins" task, synthesized to dist/
// as a GitOps tree: dist/default/ (the application) and dist/argocd/ (the ApplicationSet that deploys it).
import { ArgoCdAppMode } from './gitops/argocd';
import { GitOpsApp } from './gitops/gitops-app';
import { SeedScenario } from './samples/seed-scenario';

const app = new GitOpsApp({
  argoCd: {
    // the repository dist/ is committed to; override it for your own fork
    repoUrl: process.env.GITOPS_REPO_URL ?? 'https://github.com/example/cdk8s-istio-ambient-seed.git',
    path: process.env.GITOPS_PATH ?? 'dist',
    mode: process.env.GITOPS_MODE === 'applications' ? ArgoCdAppMode.APPLICATIONS : ArgoCdAppMode.APPLICATION_SET,
    createProject: true,
    project: 'bookinfo',
  },
});
new SeedScenario(app, 'default');
// seed 003's legacy form (singular targetRef, sleep client) in a namespace of its own, on request
const legacyNamespace = process.env.SEED_LEGACY_NAMESPACE;
if (legacyNamespace) new SeedScenario(app, legacyNamespace, { namespace: legacyNamespace, legacy: true });
app.synth();
