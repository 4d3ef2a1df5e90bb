#!/usr/bin/env python3
"""The seed scenario as a Python cdk8s app: Istio's "Extend waypoints with WebAssembly plugins" task, synthesized
as the same GitOps tree the TypeScript app (src/main.ts) writes to dist/.

Run it with `cdk8s synth` (cdk8s.yaml names the command), or directly: it writes to $CDK8S_OUTDIR when that is set,
else to dist/.
"""
import os

from cdk8s_istio_ambient import (
    AmbientNamespace,
    ArgoCdAppMode,
    ArgoCdProps,
    BasicAuthCredential,
    BasicAuthPlugin,
    BasicAuthRule,
    Bookinfo,
    BookinfoGateway,
    Curl,
    GitOpsApp,
    HttpMethod,
    PathMatch,
    PolicyTarget,
)

app = GitOpsApp(
    outdir=os.environ.get("CDK8S_OUTDIR", "dist"),
    argo_cd=ArgoCdProps(
        # the repository the tree is committed to; override it for your own fork
        repo_url=os.environ.get("GITOPS_REPO_URL", "https://github.com/example/cdk8s-istio-ambient-seed.git"),
        path=os.environ.get("GITOPS_PATH", "dist"),
        mode=ArgoCdAppMode.APPLICATIONS if os.environ.get("GITOPS_MODE") == "applications" else ArgoCdAppMode.APPLICATION_SET,
        create_project=True,
        project="bookinfo",
    ),
)

# the namespace `default`, enrolled in ambient mode, with what runs in it
ns = AmbientNamespace(app, "default")
bookinfo = Bookinfo(ns, "Bookinfo")
Curl(ns, "Curl")
ingress = BookinfoGateway(ns, "BookinfoGateway")
waypoint = ns.add_waypoint("Waypoint")

# the demo credentials of the Istio docs (synthesis warns about them: BA011)
credentials = [BasicAuthCredential.plain("ok", "test"), BasicAuthCredential.encoded("YWRtaW4zOmFkbWluMw==")]
productpage_rule = BasicAuthRule(match=PathMatch.prefix("/productpage"), methods=[HttpMethod.GET, HttpMethod.POST], credentials=credentials)

BasicAuthPlugin(ns, "BasicAuthAtGateway", name="basic-auth-at-gateway", targets=[ingress.gateway], rules=[productpage_rule])
BasicAuthPlugin(ns, "BasicAuthAtWaypoint", name="basic-auth-at-waypoint", targets=[waypoint], rules=[productpage_rule])
BasicAuthPlugin(
    ns,
    "BasicAuthForService",
    name="basic-auth-for-service",
    targets=[PolicyTarget.from_service(bookinfo.reviews)],
    rules=[
        BasicAuthRule(
            match=PathMatch.prefix("/reviews"),
            methods=[HttpMethod.GET, HttpMethod.POST],
            credentials=[BasicAuthCredential.plain("ok", "test"), BasicAuthCredential.encoded("MXQtaW4zOmFkbWluMw==")],
        )
    ],
)

app.synth()
