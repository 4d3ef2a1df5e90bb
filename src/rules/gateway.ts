/**
 * Rules on the ingress side (GW codes): listener TLS and certificates, route attachment, backends, and rules that
 * shadow each other. Every check reads the model's resolution (`model/listeners.ts`, `model/route-attachment.ts`,
 * `model/route-rules.ts`), the same the simulator's ingress hop reads.
 */
import { Entry, MeshModel } from '../model/mesh-model';
import { GATEWAY_GROUP } from '../model/manifest';
import {
  CertificateProblem, GatewayListener, isIstioIngress, listenersOf, protocolProgrammed, resolveListenerTls,
} from '../model/listeners';
import { AttachFailure, HTTP_ROUTE_KINDS, resolveParentRefs, virtualHosts } from '../model/route-attachment';
import {
  BackendFailure, BackendResolution, ProgrammedRule, describeMatch, routeProgram, sameMatch, sortRules, tieBreak,
} from '../model/route-rules';
import { FieldProblem, Finding, problemToFinding } from './finding';
import { severityOf } from './codes';
import { entryRef } from './wasm-plugin';

function problem(code: string, field: string, message: string, value: unknown, fix: string): FieldProblem {
  return { code, severity: severityOf(code), field, message, value, fix };
}

/** Listener fields the API server or istiod refuses (GW001, GW006, GW007). */
function listenerProblems(l: GatewayListener): FieldProblem[] {
  const out: FieldProblem[] = [];
  const tls = l.raw.tls;
  const proto = protocolProgrammed(l.protocol);
  if (!proto.ok) {
    out.push(l.protocol === 'TCP'
      ? problem('GW006', `${l.field}.protocol`, `${proto.why}, so by default the listener takes no traffic`, l.protocol, 'run istiod with PILOT_ENABLE_ALPHA_GATEWAY_API=true, or serve the port as HTTP, HTTPS or TLS')
      : problem('GW007', `${l.field}.protocol`, `${proto.why}: istiod does not program the listener`, l.protocol, 'use HTTP, HTTPS or TLS'));
  }
  if ((l.protocol === 'HTTP' || l.protocol === 'TCP' || l.protocol === 'UDP') && tls !== undefined) {
    out.push(problem('GW001', `${l.field}.tls`, `must not be set for protocol ${l.protocol} (the Gateway API CRD refuses it)`, tls, 'drop tls, or make the listener HTTPS'));
  }
  if (l.protocol === 'HTTPS' || l.protocol === 'TLS') {
    if (!tls || typeof tls !== 'object') {
      out.push(problem('GW001', `${l.field}.tls`, `is missing: a ${l.protocol} listener needs tls (mode Terminate with certificateRefs${l.protocol === 'TLS' ? ', or mode Passthrough' : ''}), and without it no certificate is served`,
        undefined, `add tls: {mode: Terminate, certificateRefs: [{name: <kubernetes.io/tls Secret>}]} (ListenerTls.terminate() on IngressGateway)`));
      return out;
    }
    if (l.protocol === 'TLS' && (typeof tls.mode !== 'string' || tls.mode === '')) {
      out.push(problem('GW001', `${l.field}.tls.mode`, 'must be set for protocol TLS (the Gateway API CRD refuses the listener)', tls.mode, 'set mode: Passthrough, or Terminate with certificateRefs'));
    }
    if (l.protocol === 'HTTPS' && tls.mode === 'Passthrough') {
      out.push(problem('GW001', `${l.field}.tls.mode`, 'must be Terminate for protocol HTTPS (the Gateway API CRD refuses the listener)', tls.mode, 'use mode Terminate, or make the listener protocol TLS for passthrough'));
    }
    const refs: any[] = Array.isArray(tls.certificateRefs) ? tls.certificateRefs : [];
    const options = tls.options && typeof tls.options === 'object' ? Object.keys(tls.options) : [];
    const istioMode = tls.options?.['gateway.istio.io/tls-terminate-mode'];
    if ((tls.mode ?? 'Terminate') === 'Terminate' && refs.length === 0 && istioMode !== 'ISTIO_SIMPLE' && istioMode !== 'ISTIO_MUTUAL') {
      out.push(problem('GW001', `${l.field}.tls.certificateRefs`, options.length === 0
        ? 'is empty: a listener that terminates TLS needs a certificate (the Gateway API CRD refuses it without certificateRefs or options)'
        : 'is empty: without a certificate the listener serves TLS only with an Istio termination mode option (gateway.istio.io/tls-terminate-mode: ISTIO_SIMPLE or ISTIO_MUTUAL)',
      refs, 'reference a kubernetes.io/tls Secret in certificateRefs (ListenerTls.terminate([CertificateRef.fromSecret(secret)]))'));
    }
    if (refs.length > 2) {
      out.push(problem('GW001', `${l.field}.tls.certificateRefs`, `has ${refs.length} entries; istiod serves at most 2 certificates per listener and refuses the listener`, refs.length, 'keep one certificate (or two: RSA and ECDSA)'));
    }
  }
  return out;
}

/** Rules on an Istio ingress Gateway's listeners and certificates. */
export function checkIngressGateway(model: MeshModel, gw: Entry): Finding[] {
  if (!isIstioIngress(model, gw)) return [];
  const out: FieldProblem[] = [];
  for (const l of listenersOf(gw)) {
    const own = listenerProblems(l);
    out.push(...own);
    if (own.some((p) => p.code === 'GW001') || (l.protocol !== 'HTTPS' && l.protocol !== 'TLS')) continue;
    const tls = resolveListenerTls(model, gw, l);
    for (const c of tls.certificates) {
      switch (c.problem) {
        case CertificateProblem.NOT_A_SECRET:
          out.push(problem('GW003', c.field, `${c.why}: the listener gets no certificate from it`, { group: c.group, kind: c.kind, name: c.name }, 'reference a core Secret (group "", kind Secret) of type kubernetes.io/tls'));
          break;
        case CertificateProblem.NOT_PERMITTED:
          out.push(problem('GW005', c.field, `${c.why}: istiod refuses the certificate (RefNotPermitted) and the listener serves no TLS`, `${c.namespace}/${c.name}`,
            `add a ReferenceGrant in namespace ${c.namespace} from group ${GATEWAY_GROUP} kind Gateway namespace ${gw.namespace} to kind Secret (IngressGateway adds it for CertificateRef.fromSecret())`));
          break;
        case CertificateProblem.MISSING:
          out.push(problem('GW002', c.field, `${c.why}: istiod programs the listener only if the Secret exists in the cluster with tls.crt and tls.key`, `${c.namespace}/${c.name}`,
            'create the Secret (kubectl create secret tls, cert-manager, External Secrets), or fix the name'));
          break;
        case CertificateProblem.NO_KEYS:
          out.push(problem('GW003', c.field, `${c.why}: istiod refuses the certificate and the listener serves no TLS`, `${c.namespace}/${c.name}`, 'store the certificate chain in tls.crt and the private key in tls.key'));
          break;
        default:
          if (c.secret && c.secretType !== 'kubernetes.io/tls') {
            out.push(problem('GW004', c.field, `Secret ${c.namespace}/${c.name} is of type ${JSON.stringify(c.secretType)}: Istio reads its keys anyway, but the Gateway API's core support is a kubernetes.io/tls Secret`,
              c.secretType, 'make it type kubernetes.io/tls (kubectl create secret tls)'));
          }
      }
    }
  }
  return out.map((p) => problemToFinding(entryRef(gw), p));
}

function backendProblem(route: Entry, b: BackendResolution, mirror: boolean): FieldProblem | undefined {
  const effect = mirror ? 'istiod drops the mirror' : 'requests to it get 500 from the gateway';
  switch (b.failure) {
    case BackendFailure.NOT_FOUND:
      return problem('GW010', `${b.field}.name`, `${b.why}: ${effect}`, b.name, `create ${b.kind === 'Hostname' ? 'a ServiceEntry with that host' : `Service ${b.namespace}/${b.name}`} or fix the name (HttpBackend.fromService() takes the Service itself)`);
    case BackendFailure.NO_SUCH_PORT:
      // istiod checks that the Service exists, not its port (buildDestination): the route is accepted and programmed
      // to a cluster that does not exist, which Envoy answers with 500 for Gateway API routes (route.go)
      return problem('GW011', `${b.field}.port`, `${b.why}: istiod accepts the route (ResolvedRefs stays True) but there is no cluster for that port, so ${effect}`, b.port, 'use a port the Service declares (spec.ports[].port, not targetPort)');
    case BackendFailure.NOT_PERMITTED:
      return problem('GW012', `${b.field}.namespace`, `${b.why}: istiod refuses the reference (RefNotPermitted), so ${effect}`, b.namespace,
        `add a ReferenceGrant in namespace ${b.namespace} from group ${GATEWAY_GROUP} kind ${route.kind} namespace ${route.namespace} to kind ${b.kind} (new ReferenceGrant(...)), or move the route to ${b.namespace}`);
    case BackendFailure.UNSUPPORTED_KIND:
      return problem('GW013', `${b.field}.kind`, `${b.why}: ${effect}`, `${b.group || 'core'}/${b.kind}`, 'reference a Service (group "", kind Service)');
    default:
      return undefined;
  }
}

/** Rules on one HTTPRoute or GRPCRoute: does it attach, does istiod program it, do its backends resolve. */
export function checkRoute(model: MeshModel, route: Entry): Finding[] {
  const out: FieldProblem[] = [];
  for (const pr of resolveParentRefs(model, route)) {
    if (pr.verdict !== 'no' || (!pr.ingress && pr.failure === undefined)) continue;
    if (pr.failure === AttachFailure.NO_GATEWAY) {
      out.push(problem('GW020', `${pr.field}.name`, `${pr.why}: the route attaches to nothing there`, pr.name, `create Gateway ${pr.namespace}/${pr.name}, or fix the name or namespace (the typed parent: RouteParent.fromGateway(ingressGateway))`));
      continue;
    }
    if (pr.failure === AttachFailure.NO_LISTENER) {
      const field = pr.sectionName !== undefined ? `${pr.field}.sectionName` : `${pr.field}.port`;
      out.push(problem('GW020', field, `${pr.why}: the route attaches to nothing there`, pr.sectionName ?? pr.port, 'name a listener of the Gateway (its spec.listeners[].name and port)'));
      continue;
    }
    const selected = pr.listeners.filter((a) => a.failure !== AttachFailure.NO_LISTENER);
    if (selected.every((a) => a.failure === AttachFailure.NO_HOSTNAME)) {
      out.push(problem('GW021', 'spec.hostnames', `no listener of Gateway ${pr.namespace}/${pr.name} accepts these hostnames (${selected.map((a) => `${a.listener.name}: ${a.listener.hostname ?? 'any'}`).join(', ')}), so the route never attaches there`,
        route.manifest.spec?.hostnames, 'use hostnames under a listener\'s hostname, or attach to a listener that serves them'));
      continue;
    }
    const refused = selected.filter((a) => a.failure === AttachFailure.NAMESPACE_NOT_ALLOWED || a.failure === AttachFailure.KIND_NOT_ALLOWED);
    if (refused.length > 0) {
      const ns = refused.some((a) => a.failure === AttachFailure.NAMESPACE_NOT_ALLOWED);
      out.push(problem('GW022', pr.field, `${refused.map((a) => a.why).join('; ')}: the route attaches to nothing there`, `${pr.namespace}/${pr.name}`,
        ns ? `let the listener admit namespace ${route.namespace} (allowedRoutes.namespaces from All, or a Selector matching its labels: RouteNamespaces on IngressGateway), or move the route to ${pr.namespace}`
          : `let the listener admit ${route.kind} (allowedRoutes.kinds), or attach to another listener`));
    }
  }
  // backends of routes with mesh parents only (waypoints, GAMMA) are not judged here: istiod enforces no grant there
  if (!resolveParentRefs(model, route).some((p) => p.ingress)) return out.map((p) => problemToFinding(entryRef(route), p));
  const program = routeProgram(model, route);
  if (program.dropped) {
    out.push(problem('GW023', program.dropped.field, `${program.dropped.why}: istiod programs none of the route's rules, and requests fall through to other routes or 404`,
      program.dropped.value, 'use only filters and backendRefs istiod supports (RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror, CORS; Service backends with a port)'));
  }
  const seen = new Set<string>();
  for (const r of program.rules) {
    for (const b of r.backends) {
      const p = backendProblem(route, b, false);
      if (p && !seen.has(p.field)) { seen.add(p.field); out.push(p); }
    }
    for (const m of r.filters.mirrors) {
      const p = backendProblem(route, m, true);
      if (p && !seen.has(p.field)) { seen.add(p.field); out.push(p); }
    }
  }
  return out.map((p) => problemToFinding(entryRef(route), p));
}

/**
 * Rules with the same match on the same listener and host (GW030): Envoy tries them in the Gateway API order and the
 * first wins every such request, so the others never match. Reported on each shadowed rule.
 */
export function checkRouteConflicts(model: MeshModel): Finding[] {
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const gw of model.gateways.values()) {
    if (!isIstioIngress(model, gw)) continue;
    const listeners = listenersOf(gw);
    // plain HTTP shares one route table per port; every other listener has its own
    const groups = new Map<string, GatewayListener[]>();
    for (const l of listeners) {
      const k = l.protocol === 'HTTP' ? `http/${l.port}` : `${l.protocol}/${l.name}`;
      const g = groups.get(k);
      if (g) g.push(l); else groups.set(k, [l]);
    }
    for (const ls of groups.values()) {
      for (const [domain, entries] of virtualHosts(model, gw, ls)) {
        const rules: Array<{ rule: ProgrammedRule; key: string; listener: GatewayListener }> = [];
        // only certain attachments: a route whose namespace admission is unknown may not be there at all
        for (const vh of entries) if (!vh.uncertain) for (const rule of routeProgram(model, vh.route).rules) rules.push({ rule, key: vh.mergeKey, listener: vh.listener });
        for (let i = 0; i < rules.length; i++) {
          for (let j = 0; j < rules.length; j++) {
            const a = rules[i];
            const b = rules[j];
            // one rule through two route hostnames is the same rule twice, not a conflict
            if (i === j || a.rule === b.rule || !sameMatch(a.rule.match, b.rule.match)) continue;
            // report b when a comes first (or, undecided, once per pair on the later by name)
            const t = tieBreak(a.rule, b.rule);
            const sameKey = a.key === b.key;
            if (sameKey && sortRules([a.rule, b.rule])[0] !== a.rule) continue;
            if (!sameKey && t.order > 0) continue;
            const loser = b.rule;
            const id = `${loser.route.kind}/${loser.route.namespace}/${loser.route.name}/${loser.ruleIndex}/${loser.matchIndex}`;
            if (reported.has(id)) continue;
            reported.add(id);
            const winner = `${a.rule.where}`;
            const decided = !sameKey ? `they reach Envoy in separate VirtualServices (route hostnames ${a.key.split('/')[1]} and ${b.key.split('/')[1]}), and which of them runs is not decided by the manifests`
              : t.by === 'undecided' ? 'the older route wins, and without creationTimestamps which one that is depends on the order they were applied'
                : `${winner} takes every such request (by ${t.by})`;
            out.push(problemToFinding(entryRef(loser.route), problem('GW030', `spec.rules[${loser.ruleIndex}].matches[${loser.matchIndex}]`,
              `has the same match as ${winner} on Gateway ${gw.namespace}/${gw.name} listener ${[...new Set([a.listener.name, b.listener.name])].join(', ')} for host ${domain}: ${decided}`,
              describeMatch(loser.match), 'make the matches differ (path, method, headers or query), or remove the rule that never runs')));
          }
        }
      }
    }
  }
  return out;
}

/** Whether an entry is a route kind these rules read. */
export function isHttpRouteKind(e: Entry): boolean {
  return e.group === GATEWAY_GROUP && HTTP_ROUTE_KINDS.includes(e.kind);
}
