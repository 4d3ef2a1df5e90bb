/**
 * The request path through an ambient mesh (SEMANTICS 1, 4.2): client capture, name resolution, the waypoint
 * chain of the Service addressed, the ingress gateway and its routes, the destination workload, and Bookinfo
 * productpage's own calls. Pure: reads a MeshModel, never the file system.
 */
import { Entry, MeshModel, MeshModelOptions } from '../model/mesh-model';
import { ISTIO_NETWORKING_GROUP, Manifest, SourcedManifest, key } from '../model/manifest';
import { LABEL_GATEWAY_NAME, ProxyKind, proxyKindOf, refIs, targetRefsOfEntry } from '../model/attachment';
import { BindingFailure, LABEL_MANAGED, ingressUseWaypoint, resolveWaypoint } from '../model/waypoint-binding';
import { GatewayRole } from '../model/gateway-class';
import { Protocol, hasNoVip, isHttpProtocol, portProtocolOf } from '../model/protocol';
import { DnsAnswer, resolveName } from './dns';
import { ModuleRequest } from './basic-auth-module';
import { PlannedCall, forwardedHeaders, productpagePlan } from './bookinfo';
import { Chain, ChainOutcome, PluginView, runChain, viewPlugin } from './plugins';
import { LuaResponseState, runLuaResponse } from './lua-filter';
import { BackendFailure, BackendResolution } from '../model/route-rules';
import { GatewayListener, gatewayServices, generatedServiceLabels, listenerProgrammed, listenersOf } from '../model/listeners';
import { pickDomain } from '../model/hostnames';
import { ParsedUrl, SimulationInputError, connectTarget, headerValue, parseClientRef, toSent } from './request';
import { RouteRequest, matchRoute } from './routes';
import {
  BatchResult, Check, Hop, LocalResponse, SentRequest, SimulationRequest, SimulationResult, SimulationStatus, SubRequest,
} from './types';
import { KIND_ALIASES, WORKLOAD_KINDS, Workload, captureOf, selects, workloadOf } from './workloads';
import { closestName, didYouMean } from '../model/suggest';

function kindOf(alias: string, from: string): string {
  const k = KIND_ALIASES[alias.toLowerCase()];
  if (!k) throw new SimulationInputError(`from: ${JSON.stringify(alias)} is not a workload kind (got ${JSON.stringify(from)}); ${didYouMean(alias.toLowerCase(), Object.keys(KIND_ALIASES))}use deploy, sts, ds, pod, job, cronjob or rs`);
  return k;
}

/** Checks a request's form (client reference, method, URL, headers) without simulating it. */
export function validateRequest(request: SimulationRequest): void {
  const ref = parseClientRef(request.from);
  if (ref.kind !== undefined) kindOf(ref.kind, request.from);
  toSent(request);
}

/** Options of {@link Simulator}. */
export interface SimulatorOptions extends MeshModelOptions {
  /** The cluster's DNS domain. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/** What `simulate` accepts: manifests (sourced or plain), a built model, or a simulator built once. */
export type SimulationInput = readonly SourcedManifest[] | readonly Manifest[] | MeshModel | Simulator;

const SECURITY_GROUP = 'security.istio.io';

/** Where a request is headed after name resolution. */
type Target =
  | { kind: 'service'; svc: Entry; port: number; protocol: 'http' | 'tcp'; how: string }
  | { kind: 'workload'; workloads: Workload[]; port: number; how: string; at: string; origin?: string; headless?: Entry }
  | { kind: 'ingress'; svc: Entry; gateway: Entry; port: number; how: string }
  | { kind: 'unknown'; reason: string };

/** The state of one request while it travels. */
interface Flight {
  readonly sent: SentRequest;
  /** The URL as the client wrote it (scheme, host for SNI) and curl's --connect-to entries. */
  readonly url?: ParsedUrl;
  readonly connectTo?: readonly string[];
  readonly hops: Hop[];
  readonly notes: string[];
  depth: number;
  /** The proxies passed whose Lua filters handle responses, in the order reached. */
  responders?: Array<{ readonly at: Entry; readonly kind: 'waypoint' | 'ingress'; readonly filters: ChainOutcome['responders'] }>;
}

type Outcome = Omit<SimulationResult, 'request' | 'hops' | 'notes'>;

function isSourced(o: unknown): o is SourcedManifest {
  return typeof o === 'object' && o !== null && 'manifest' in o && typeof (o as any).origin === 'string';
}

/** `namespace/name` for messages. */
function id(e: { namespace: string; name: string }): string {
  return `${e.namespace}/${e.name}`;
}

/** The chain a port's traffic takes at a waypoint (istiod's port protocol; a sniffed port carries curl's HTTP). */
function portProtocol(svc: Entry, p: any): { protocol: 'http' | 'tcp' | 'udp'; text: string } {
  const proto = portProtocolOf(svc, p);
  const declared = svc.kind === 'ServiceEntry' ? p?.protocol : (p?.appProtocol ?? p?.name);
  if (proto === Protocol.UDP) return { protocol: 'udp', text: 'declared UDP' };
  if (proto === Protocol.UNSUPPORTED) return { protocol: 'http', text: 'protocol not declared: sniffed as HTTP (curl speaks HTTP/1.1)' };
  const shown = String(declared ?? proto).toLowerCase();
  return isHttpProtocol(proto) ? { protocol: 'http', text: `declared ${shown}: HTTP chain` } : { protocol: 'tcp', text: `declared ${shown}: TCP chain, HTTP plugins do not run` };
}

/**
 * Predicts what HTTP status a request gets in an ambient mesh, and why. Build it once per set of manifests;
 * every index it needs is made in one pass, so each request only looks at the namespaces it touches.
 */
export class Simulator {
  /** Builds a simulator from manifests (as loaded from YAML, or plain objects) or a model. */
  public static from(input: SimulationInput, options: SimulatorOptions = {}): Simulator {
    if (input instanceof Simulator) return input;
    if (input instanceof MeshModel) return new Simulator(input, options);
    const list = input as readonly unknown[];
    const sourced = list.map((o, i) => (isSourced(o) ? o : { manifest: o as Manifest, origin: `objects[${i}]` }));
    return new Simulator(MeshModel.build(sourced, options), options);
  }

  public readonly model: MeshModel;
  private readonly clusterDomain: string;
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly ingressByService = new Map<string, { gateway: Entry; service: Entry }>();
  private readonly securityByNs = new Map<string, Entry[]>();
  private readonly serviceEntriesByHost = new Map<string, Entry[]>();
  private readonly views = new Map<Entry, PluginView>();

  private constructor(model: MeshModel, options: SimulatorOptions) {
    this.model = model;
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
    const push = <T>(map: Map<string, T[]>, k: string, v: T) => {
      const list = map.get(k);
      if (list) list.push(v); else map.set(k, [v]);
    };
    for (const e of model.entries) {
      const w = workloadOf(e);
      if (w) { push(this.workloadsByNs, e.namespace, w); continue; }
      if (e.group === SECURITY_GROUP) {
        push(this.securityByNs, e.namespace, e);
      } else if (e.group === ISTIO_NETWORKING_GROUP && e.kind === 'ServiceEntry') {
        for (const h of Array.isArray(e.manifest.spec?.hosts) ? e.manifest.spec.hosts : []) push(this.serviceEntriesByHost, String(h).toLowerCase(), e);
      }
    }
    for (const gw of model.gateways.values()) {
      if (model.gatewayRole(gw) !== GatewayRole.INGRESS) continue;
      const { managed, services } = gatewayServices(model, gw);
      for (const s of services) {
        const real = model.services.get(key(s.namespace, s.name));
        // a manual deployment binds to an existing Service: without it in the manifests there is nothing to reach
        if (!real && !managed) continue;
        this.ingressByService.set(key(s.namespace, s.name), { gateway: gw, service: real ?? this.generatedService(gw, s.name) });
      }
    }
  }

  /** Simulates one request. Throws {@link SimulationInputError} for a malformed URL, header, method or client. */
  public simulate(request: SimulationRequest): SimulationResult {
    const { sent, url } = toSent(request);
    const flight: Flight = { sent, url, connectTo: request.connectTo, hops: [], notes: [], depth: 0 };
    return this.finish(flight, this.fromClient(flight, this.findClient(request.from), url));
  }

  /** Simulates every check and compares each status with the expected one; bad input names the check. */
  public check(checks: readonly Check[]): BatchResult {
    const results = checks.map((check, i) => {
      let result: SimulationResult;
      try {
        result = this.simulate(check);
      } catch (e) {
        if (!(e instanceof SimulationInputError)) throw e;
        throw new SimulationInputError(`check ${check.name !== undefined ? JSON.stringify(check.name) : `#${i + 1}`}: ${e.message}`);
      }
      return { check, ok: result.status === check.expect, result };
    });
    const passed = results.filter((r) => r.ok).length;
    return { passed, failed: results.length - passed, results };
  }

  private finish(f: Flight, o: Outcome): SimulationResult {
    if (f.responders && f.responders.length > 0) o = this.responsePath(f, o);
    return { request: f.sent, status: o.status, reason: o.reason, ...(o.response ? { response: o.response } : {}), hops: f.hops, subRequests: o.subRequests, notes: [...new Set(f.notes)] };
  }

  /** The client workload; one that is not among the manifests is bad input, with the closest name that is. */
  private findClient(from: string): Workload {
    const ref = parseClientRef(from);
    const kinds = ref.kind === undefined ? WORKLOAD_KINDS : [kindOf(ref.kind, from)];
    const inNs = (this.workloadsByNs.get(ref.namespace) ?? []).filter((w) => kinds.includes(w.kind));
    const found = inNs.filter((w) => w.name === ref.name).sort((a, b) => WORKLOAD_KINDS.indexOf(a.kind) - WORKLOAD_KINDS.indexOf(b.kind));
    if (found.length > 0) return found[0];
    const what = ref.kind === undefined ? 'Deployment, StatefulSet, DaemonSet, Pod, Job, CronJob or ReplicaSet' : kinds[0];
    // a typo of the name in that namespace first, else of the whole reference (a wrong namespace)
    const all = [...this.workloadsByNs.values()].flat().filter((w) => kinds.includes(w.kind));
    const near = closestName(ref.name, inNs.map((w) => w.name));
    const suggestion = near !== undefined ? `${ref.namespace}/${ref.kind !== undefined ? `${ref.kind}/` : ''}${near}`
      : closestName(`${ref.namespace}/${ref.name}`, all.map((w) => `${w.namespace}/${w.name}`));
    throw new SimulationInputError(`from: no ${what} named ${ref.name} in namespace ${ref.namespace} among the manifests (got ${JSON.stringify(from)}); ${
      suggestion !== undefined ? `did you mean ${JSON.stringify(suggestion)}? ` : ''}name a workload of the manifests as <namespace>/<workload>`);
  }

  /** The ambient client sends the request: capture, resolution, then the Service's path. */
  private fromClient(f: Flight, client: Workload, url: ParsedUrl): Outcome {
    const capture = captureOf(this.model, client);
    f.hops.push({ kind: 'client', at: id(client), origin: client.entry.origin,
      detail: `${client.kind} ${id(client)}, ${capture.captured ? 'captured by ztunnel' : 'not captured by ztunnel'}: ${capture.why}` });
    if (!capture.captured) {
      return { status: 'unknown', reason: `client ${id(client)} is not in the ambient mesh: ${capture.why}; only captured clients are simulated`, subRequests: [] };
    }
    const to = connectTarget(url, f.connectTo);
    const target = this.resolve({ ...url, host: to.host, port: to.port }, client.namespace);
    const via = to.via !== undefined ? `curl --connect-to ${to.via}: connects to ${to.host}:${to.port}; ` : '';
    if (target.kind === 'unknown') {
      f.hops.push({ kind: 'resolve', at: to.host, detail: `${via}${target.reason}` });
      return { status: 'unknown', reason: target.reason, subRequests: [] };
    }
    if (target.kind === 'workload') {
      f.hops.push({ kind: 'resolve', at: target.at, origin: target.origin, detail: `${via}${target.how}` });
      if (url.scheme !== 'http') {
        return { status: 'unknown', reason: `${url.scheme}:// to a pod of ${target.at} is not simulated: the client originates TLS, and no proxy on the way sees the HTTP request inside it`, subRequests: [] };
      }
      return this.toWorkloads(f, target, this.routeRequest(f.sent));
    }
    f.hops.push({ kind: 'resolve', at: id(target.svc), origin: target.svc.origin, detail: `${via}${target.how}` });
    if (url.scheme !== 'http' && target.kind !== 'ingress') {
      return { status: 'unknown', reason: `${url.scheme}:// to ${target.svc.kind} ${id(target.svc)} is not simulated: the client originates TLS, and no proxy on the way sees the HTTP request inside it`, subRequests: [] };
    }
    return this.toService(f, target, this.routeRequest(f.sent), 'client');
  }

  private routeRequest(sent: SentRequest): RouteRequest {
    return { method: sent.method, authority: sent.authority, path: sent.path, headers: sent.headers };
  }

  /**
   * Name resolution from a pod in `clientNs`: an IP address is a Service's cluster IP or a Pod's IP; a name goes
   * through Kubernetes DNS (search path, ndots 5): Services, and the pod records of headless Services
   * (StatefulSet pods, Pods with hostname and subdomain); then ServiceEntry hosts.
   */
  private resolve(url: ParsedUrl, clientNs: string): Target {
    const host = url.host.replace(/\.$/, '');
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')) return this.resolveIp(url, host);
    const answer: DnsAnswer = resolveName(this.model, url.host, clientNs, this.clusterDomain, this.workloadsByNs, this.ingressByService);
    const labels = host.split('.');
    const form = labels.length === 1 ? `short name, looked up in the client's namespace ${clientNs}` : labels.length === 2 ? '<service>.<namespace>'
      : labels.length === 3 && labels[2] === 'svc' ? '<service>.<namespace>.svc' : 'fully qualified name';
    if (answer.kind === 'pod') {
      return { kind: 'workload', workloads: [answer.workload], port: url.port, at: `${answer.workload.namespace}/${answer.hostname}`, origin: answer.workload.entry.origin,
        headless: answer.service,
        how: `${url.host} is the DNS name of pod ${answer.hostname} of ${answer.workload.kind} ${id(answer.workload)} (headless Service ${id(answer.service)}): the request is addressed to that pod's IP, port ${url.port}` };
    }
    if (answer.kind === 'service') {
      const k = key(answer.service.namespace, answer.service.name);
      const ingress = this.ingressByService.get(k);
      if (ingress) return this.ingressTarget(ingress.gateway, ingress.service, url, form);
      return this.serviceTarget(answer.service, url.port, `${url.host}:${url.port} (${form})`);
    }
    const entries = this.serviceEntriesByHost.get(host);
    if (entries && entries.length > 0) {
      const se = entries[0];
      const spec = se.manifest.spec ?? {};
      if (!Array.isArray(spec.addresses) || spec.addresses.length === 0) {
        return { kind: 'unknown', reason: `host ${host} is ServiceEntry ${id(se)}, which has no addresses; whether ambient sends it to a waypoint depends on DNS auto-allocation, which is not simulated` };
      }
      const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
      const p = ports.find((x) => x?.number === url.port);
      if (!p) return { kind: 'unknown', reason: `ServiceEntry ${id(se)} has no port ${url.port}: the connection fails` };
      const proto = portProtocol(se, p);
      if (proto.protocol === 'udp') return { kind: 'unknown', reason: `ServiceEntry ${id(se)} port ${url.port} is UDP; only HTTP requests are simulated` };
      const more = entries.length > 1 ? ` (${entries.length} ServiceEntries claim this host; the first is used)` : '';
      return { kind: 'service', svc: se, port: url.port, protocol: proto.protocol, how: `${host}:${url.port} is a host of ServiceEntry ${id(se)}${more}, ${proto.text}` };
    }
    // a typo of a Service name: the first label, looked up in the namespace the name says (else the client's)
    const ns = labels.length > 1 && labels[1] !== 'svc' ? labels[1] : clientNs;
    const near = closestName(labels[0], this.model.namesIn(this.model.services, ns));
    const hint = near !== undefined ? `; did you mean Service ${key(ns, near)}?` : '';
    return { kind: 'unknown', reason: `host ${host} is not among the manifests (${answer.tried}, no ServiceEntry host ${host})${hint}` };
  }

  /** A Service and port: a headless one is resolved to its pods, a normal one to its virtual IP. */
  private serviceTarget(svc: Entry, port: number, named: string): Target {
    const k = id(svc);
    if (hasNoVip(svc)) {
      const ws = (this.workloadsByNs.get(svc.namespace) ?? []).filter((w) => selects(svc.manifest.spec?.selector, w));
      if (svc.manifest.spec?.type === 'ExternalName') {
        return { kind: 'unknown', reason: `Service ${k} is of type ExternalName: DNS answers with ${JSON.stringify(svc.manifest.spec?.externalName ?? '')}, outside the ambient index, which is not simulated` };
      }
      if (ws.length === 0) {
        return { kind: 'unknown', reason: `Service ${k} is headless (clusterIP: None) and no workload in the manifests matches its selector, so DNS answers with no pod IP known here` };
      }
      return { kind: 'workload', workloads: ws, port, at: k, origin: svc.origin, headless: svc,
        how: `${named} is headless Service ${k} (clusterIP: None): DNS answers with its pods' IPs, so the request is addressed to a pod (${ws.map((w) => `${w.kind} ${id(w)}`).join(', ')}), not to a Service` };
    }
    const ports: any[] = Array.isArray(svc.manifest.spec?.ports) ? svc.manifest.spec.ports : [];
    const p = ports.find((x) => x?.port === port);
    if (!p) {
      return { kind: 'unknown', reason: `Service ${k} has no port ${port} (it has ${ports.map((x) => x?.port).join(', ') || 'none'}): the connection fails, curl would print 000` };
    }
    const proto = portProtocol(svc, p);
    if (proto.protocol === 'udp') return { kind: 'unknown', reason: `Service ${k} port ${port} is UDP; only HTTP requests are simulated` };
    return { kind: 'service', svc, port, protocol: proto.protocol, how: `${named} is Service ${k} port ${port}${p.name ? ` "${p.name}"` : ''}, ${proto.text}` };
  }

  /** An IP address in the URL: a Service's cluster IP (service-addressed) or a Pod's `status.podIP` (pod-addressed). */
  private resolveIp(url: ParsedUrl, host: string): Target {
    const norm = host.toLowerCase();
    for (const svc of this.model.services.values()) {
      const spec = svc.manifest.spec ?? {};
      const ips = [spec.clusterIP, ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [])].filter((x) => typeof x === 'string').map((x: string) => x.toLowerCase());
      if (ips.includes(norm)) return this.serviceTarget(svc, url.port, `${url.host}:${url.port} (the cluster IP of Service ${id(svc)})`);
    }
    for (const ws of this.workloadsByNs.values()) {
      for (const w of ws) {
        if (w.kind !== 'Pod') continue;
        const st = w.entry.manifest.status ?? {};
        const ips = [st.podIP, ...(Array.isArray(st.podIPs) ? st.podIPs.map((x: any) => x?.ip) : [])].filter((x) => typeof x === 'string').map((x: string) => x.toLowerCase());
        if (ips.includes(norm)) {
          return { kind: 'workload', workloads: [w], port: url.port, at: id(w), origin: w.entry.origin,
            how: `${url.host} is the IP of Pod ${id(w)} (status.podIP): the request is addressed to the pod, port ${url.port}` };
        }
      }
    }
    return { kind: 'unknown', reason: `host ${host} is an IP address that no Service (spec.clusterIP) and no Pod (status.podIP) among the manifests has; the cluster assigns those, so address the Service by name` };
  }

  /** The Service istiod generates for an ingress Gateway: `<gateway>-istio`, ports from the listeners, the Gateway's labels copied. */
  private generatedService(gw: Entry, name: string): Entry {
    const copied = generatedServiceLabels(gw);
    const listeners: any[] = Array.isArray(gw.manifest.spec?.listeners) ? gw.manifest.spec.listeners : [];
    const manifest: Manifest = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: gw.namespace, labels: { ...copied, [LABEL_MANAGED]: 'istio.io-gateway-controller', [LABEL_GATEWAY_NAME]: gw.name } },
      spec: { ports: listeners.map((l) => ({ name: portName(l?.name), port: l?.port })) },
    };
    return { manifest, origin: `istiod, generated for Gateway ${id(gw)} (${gw.origin})`, kind: 'Service', group: 'core', namespace: gw.namespace, name };
  }

  private ingressTarget(gw: Entry, svc: Entry, url: ParsedUrl, form: string): Target {
    const listeners = listenersOf(gw).filter((l) => l.port === url.port);
    if (listeners.length === 0) {
      return { kind: 'unknown', reason: `Gateway ${id(gw)} has no listener on port ${url.port}, so its Service ${svc.name} has no such port: the connection fails` };
    }
    const generated = svc.origin.startsWith('istiod,') ? `which istiod generates for ingress Gateway ${id(gw)}` : `the Service ingress Gateway ${id(gw)} is bound to`;
    return { kind: 'ingress', svc, gateway: gw, port: url.port,
      how: `${url.host}:${url.port} (${form}) is Service ${id(svc)}, ${generated} (listener ${listeners.map((l) => `${l.name} ${url.port}/${l.protocol}`).join(', ')})` };
  }

  /**
   * The listeners that take the connection: for http://, every plain-HTTP listener on the port (one route table in
   * Envoy); for https://, the HTTPS or TLS listener whose hostname best matches the SNI (one filter chain each).
   */
  private chooseListeners(f: Flight, gw: Entry, port: number): { listeners: GatewayListener[] } | { outcome: Outcome } {
    const scheme = f.url?.scheme ?? 'http';
    const onPort = listenersOf(gw).filter((l) => l.port === port);
    const fail = (reason: string): { outcome: Outcome } => ({ outcome: { status: 'unknown', reason, subRequests: [] } });
    const programmed = (l: GatewayListener) => listenerProgrammed(this.model, gw, l);
    if (scheme === 'http') {
      const http = onPort.filter((l) => l.protocol === 'HTTP');
      if (http.length === 0) {
        return fail(`Gateway ${id(gw)} port ${port} has no HTTP listener (${onPort.map((l) => `${l.name}/${l.protocol}`).join(', ')}): a plain-HTTP request there gets no answer the manifests decide (curl prints 000)`);
      }
      const dead = http.map((l) => ({ l, p: programmed(l) })).filter((x) => x.p.verdict !== 'yes');
      if (dead.length === http.length) return fail(`Gateway ${id(gw)}: ${dead.map((x) => x.p.why).join('; ')}`);
      return { listeners: http.filter((l) => !dead.some((d) => d.l === l)) };
    }
    const tls = onPort.filter((l) => l.protocol === 'HTTPS' || l.protocol === 'TLS');
    if (tls.length === 0) {
      return fail(`Gateway ${id(gw)} port ${port} has no HTTPS or TLS listener (${onPort.map((l) => `${l.name}/${l.protocol}`).join(', ')}): the TLS handshake fails (curl prints 000)`);
    }
    const sni = f.url!.host;
    const byHost = new Map(tls.map((l) => [l.hostname ?? '*', l] as const));
    const domain = pickDomain(byHost.keys(), sni);
    if (domain === undefined) {
      return fail(`SNI ${JSON.stringify(sni)} matches the hostname of no TLS listener of Gateway ${id(gw)} on port ${port} (${tls.map((l) => `${l.name}: ${l.hostname ?? '*'}`).join(', ')}): the TLS handshake fails (curl prints 000)`);
    }
    const l = byHost.get(domain)!;
    const p = programmed(l);
    const sniText = `SNI ${JSON.stringify(sni)} selects listener ${l.name} (${l.protocol}, hostname ${l.hostname ?? 'any'})`;
    if (p.verdict === 'no') return fail(`${sniText}, which istiod does not program: ${p.why}; the TLS handshake fails (curl prints 000)`);
    if (p.verdict === 'unknown') return fail(`${sniText}: ${p.why}`);
    if (p.tls.mode === 'Passthrough' || l.protocol === 'TLS') {
      return fail(`${sniText}, which ${p.tls.mode === 'Passthrough' ? 'passes TLS through' : 'carries TLS for TCP routes'}: no HTTP route applies there, and TLSRoute and TCPRoute are not in the pinned Gateway API standard channel, so where the connection goes is not simulated`);
    }
    f.hops.push({ kind: 'tls', at: `${id(gw)}/${l.name}`, origin: gw.origin,
      detail: `${sniText}; TLS terminated there, ${p.tls.why}` });
    f.notes.push('the certificate is assumed valid and trusted: its contents are not checked, and curl verifies it unless -k is given');
    return { listeners: [l] };
  }

  private view = (e: Entry): PluginView => {
    let v = this.views.get(e);
    if (!v) { v = viewPlugin(e); this.views.set(e, v); }
    return v;
  };

  private runAt(f: Flight, chain: Chain, namespaces: string[], req: RouteRequest): ChainOutcome {
    const auth = headerValue(req.headers, 'authorization');
    const moduleReq: ModuleRequest = { method: req.method, authority: req.authority, path: req.path, authorization: auth, headers: req.headers };
    const out = runChain(this.model, chain, this.view, moduleReq);
    f.notes.push(...out.notes);
    if (out.responders.length > 0) {
      (f.responders ??= []).push({ at: chain.place.proxy, kind: chain.place.kind === ProxyKind.WAYPOINT ? 'waypoint' : 'ingress', filters: out.responders });
    }
    if (out.ran) {
      f.notes.push('Wasm modules are assumed to be fetched and loaded; a failed fetch would answer 403 "RBAC: access denied" under FAIL_CLOSE (the default) or skip the plugin under FAIL_OPEN');
    }
    if (out.tiedByName) {
      f.notes.push('plugins without creationTimestamp are taken as created in one sync, in the same second; istiod then orders them by name, and a WasmPlugin\'s name is <name>~istio-translated-wasmplugin');
    }
    if (out.unsetBesideSet) {
      f.notes.push('an unset priority sorts after every set priority, negative ones included (istiod uses MinInt32, not the documented 0)');
    }
    for (const ns of [...new Set(namespaces)]) {
      for (const p of this.securityByNs.get(ns) ?? []) {
        f.notes.push(`${p.kind} ${id(p)} is not simulated: Istio's own authentication and authorization could answer 401 or 403 after the AUTHN plugins`);
      }
    }
    if (headerValue(req.headers, 'authorization') !== undefined && req.headers.filter(([n]) => n.toLowerCase() === 'authorization').length > 1) {
      f.notes.push('several Authorization headers: the module reads the first (inferred from Envoy\'s header lookup)');
    }
    return out;
  }

  private stopOutcome(where: string, out: ChainOutcome): Outcome {
    const s = out.stop!;
    if (s.outcome === 'unknown') return { status: 'unknown', reason: `${s.by} at ${where}: ${s.detail}`, subRequests: [] };
    return { status: s.status ?? 401, reason: `denied by ${s.by} at ${where}: ${s.detail}`, ...(s.response ? { response: s.response } : {}), subRequests: [] };
  }

  /** The request past a chain whose Lua filters changed it: what later hops, routing and the destination see. */
  private after(req: RouteRequest, out: ChainOutcome): RouteRequest {
    const r = out.request;
    if (!r) return req;
    const headers = r.headers.map(([n, v]): [string, string] => (n.toLowerCase() === 'host' ? [n, r.authority] : [n, v]));
    return { method: r.method, authority: r.authority, path: r.path, headers };
  }

  /**
   * The response on its way back: through the Lua filters of every proxy passed, last proxy first and each
   * chain in reverse (Envoy runs encoder filters in reverse order; a local reply starts at the first encoder
   * filter, FilterManager::commonEncodePrefix, so it passes every one of its chain).
   */
  private responsePath(f: Flight, o: Outcome): Outcome {
    if (typeof o.status !== 'number') return o;
    const local = o.response !== undefined;
    let state: LuaResponseState = { status: o.status, headers: Object.entries(o.response?.headers ?? {}).map(([k, v]): [string, string] => [k, v]), openEnded: !local };
    if (local && o.response?.body !== undefined) {
      f.notes.push('the local reply\'s content-length and content-type, which Envoy sets, are not simulated: a Lua filter that reads them gets unknown');
    }
    for (const p of [...f.responders!].reverse()) {
      const lines: string[] = [];
      for (const r of [...p.filters].reverse()) {
        const effect = runLuaResponse(r.who, r.code, state);
        f.notes.push(...effect.notes);
        lines.push(`${r.who}: ${effect.detail}`);
        if (effect.unknown || !effect.state) {
          f.hops.push({ kind: 'response', at: id(p.at), detail: `response back through ${p.kind} ${id(p.at)}: ${lines.join('; ')}` });
          return { status: 'unknown', reason: `the response status was ${o.status}, but ${effect.unknown}`, subRequests: o.subRequests };
        }
        state = effect.state;
      }
      f.hops.push({ kind: 'response', at: id(p.at), detail: `response back through ${p.kind} ${id(p.at)}: ${lines.join('; ')}` });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of state.headers) headers[k] = headers[k] !== undefined ? `${headers[k]},${v}` : v;
    const response = Object.keys(headers).length > 0 || o.response?.body !== undefined
      ? { ...(o.response?.body !== undefined ? { body: o.response.body } : {}), ...(Object.keys(headers).length > 0 ? { headers } : {}) } : undefined;
    const reason = state.status !== o.status ? `${o.reason}; on the way back a Lua filter sets :status ${state.status}` : o.reason;
    const { response: _old, ...rest } = o;
    return { ...rest, status: state.status, reason, ...(response ? { response } : {}) };
  }

  /**
   * From a sender to a Service: through the Service's waypoint when it has one, then to the destination
   * (for an ingress Gateway's Service, the gateway itself).
   */
  private toService(f: Flight, target: Extract<Target, { kind: 'service' | 'ingress' }>, req: RouteRequest, sender: 'client' | 'gateway'): Outcome {
    const svc = target.svc;
    const binding = resolveWaypoint(this.model, svc, 'service');
    if (sender === 'client') {
      f.hops.push({ kind: 'ztunnel', at: f.sent.from,
        detail: binding.waypoint ? `sends the connection over HBONE to waypoint ${id(binding.waypoint)} (${binding.via})` :
          `no waypoint for ${svc.kind} ${id(svc)} (${binding.via}: ${binding.reason}): straight to the destination, no Wasm plugin runs on the way` });
    }
    if (!binding.waypoint && binding.failure === BindingFailure.NOT_A_WAYPOINT && binding.named) {
      const gw = binding.named;
      if (sender === 'client') f.hops.pop();
      f.hops.push({ kind: 'ztunnel', at: sender === 'client' ? f.sent.from : id(gw),
        detail: `${svc.kind} ${id(svc)} is bound to Gateway ${id(gw)} (${binding.via}), which is not a waypoint: istiod binds any Gateway with an address, and traffic goes over HBONE to that proxy` });
      return { status: 'unknown', reason: `${svc.kind} ${id(svc)} ${binding.reason}; what that proxy does with HBONE traffic is not simulated`, subRequests: [] };
    }
    if (!binding.waypoint) this.noteOpenDoor(f, svc);
    if (binding.waypoint && target.kind === 'ingress' && sender === 'client') {
      f.notes.push(`the Service istiod generates for Gateway ${id(target.gateway)} is not excluded from waypoint binding (inferred from istiod's code), so in-mesh clients reach the gateway through waypoint ${id(binding.waypoint)} first`);
    }
    if (binding.waypoint) {
      const wp = binding.waypoint;
      const eastWest = proxyKindOf(this.model, wp) === ProxyKind.EAST_WEST;
      // an east-west gateway builds TCP chains only, and without the Service (listener_waypoint.go)
      const protocol = eastWest ? 'tcp' : target.kind === 'ingress' ? 'http' : target.protocol;
      const chain: Chain = eastWest ? { place: { proxy: wp, kind: ProxyKind.EAST_WEST }, protocol, listenerPort: target.port }
        : { place: { proxy: wp, kind: ProxyKind.WAYPOINT, service: svc }, protocol, listenerPort: protocol === 'http' ? 0 : target.port };
      const out = this.runAt(f, chain, [wp.namespace, this.model.rootNamespace, svc.namespace], req);
      req = this.after(req, out);
      f.hops.push({ kind: 'waypoint', at: id(wp), origin: wp.origin, plugins: out.traces,
        detail: `${id(wp)}, ${protocol === 'http' ? 'HTTP' : 'TCP'} chain for ${svc.kind} ${id(svc)} (bound by ${binding.via})${eastWest ? '; an east-west gateway builds TCP chains only, without the Service' : ''}${sender === 'gateway' ? '; the gateway sends to the Service VIP because of istio.io/ingress-use-waypoint' : ''}` });
      if (out.stop) return this.stopOutcome(`waypoint ${id(wp)}`, out);
      if (eastWest) {
        return { status: 'unknown', reason: `${svc.kind} ${id(svc)} is bound to east-west gateway ${id(wp)}, which forwards the tunnel to another network; what answers there is not simulated`, subRequests: [] };
      }
    }
    if (target.kind === 'ingress') return this.atIngress(f, target, req);
    return this.atDestination(f, svc, req);
  }

  /**
   * Pod-addressed traffic (a headless Service, a pod DNS name, a pod IP): ztunnel sends it to the waypoint of
   * the destination pod when that waypoint takes workload traffic, on its direct-workload chain (no Service,
   * so Service-targeted plugins never run); several pods that would answer differently give `unknown`.
   */
  private toWorkloads(f: Flight, target: Extract<Target, { kind: 'workload' }>, req: RouteRequest): Outcome {
    if (target.headless) {
      const b = resolveWaypoint(this.model, target.headless, 'service');
      if (b.waypoint) {
        f.notes.push(`Service ${id(target.headless)} is headless: it has no virtual IP, so its waypoint ${id(b.waypoint)} never sees traffic to it (waypoints serve only traffic addressed to a Service VIP; listener_waypoint.go)`);
      }
      this.noteOpenDoor(f, target.headless);
    }
    const legs = target.workloads.map((w) => ({ w, f: { ...f, hops: [...f.hops], notes: [...f.notes] } as Flight }));
    const outcomes = legs.map((l) => this.toWorkload(l.f, l.w, target.port, req));
    const first = legs[0];
    f.hops.splice(0, f.hops.length, ...first.f.hops);
    f.notes.splice(0, f.notes.length, ...first.f.notes);
    if (outcomes.some((o) => o.status !== outcomes[0].status)) {
      const each = legs.map((l, i) => `${l.w.kind} ${id(l.w)}: ${outcomes[i].status}`).join(', ');
      return { status: 'unknown', reason: `DNS answers with the pods of several workloads that get different answers: ${each}`, subRequests: [] };
    }
    if (legs.length > 1) f.notes.push(`DNS answers with the pods of ${legs.length} workloads; all get ${outcomes[0].status}, the trace follows ${first.w.kind} ${id(first.w)}`);
    return outcomes[0];
  }

  private toWorkload(f: Flight, w: Workload, port: number, req: RouteRequest): Outcome {
    const binding = resolveWaypoint(this.model, w.entry, 'workload');
    if (!binding.waypoint && binding.failure === BindingFailure.NOT_A_WAYPOINT && binding.named) {
      f.hops.push({ kind: 'ztunnel', at: f.sent.from, detail: `the pods of ${w.kind} ${id(w)} are bound to Gateway ${id(binding.named)}, which is not a waypoint` });
      return { status: 'unknown', reason: `${w.kind} ${id(w)} ${binding.reason}; what that proxy does with HBONE traffic is not simulated`, subRequests: [] };
    }
    f.hops.push({ kind: 'ztunnel', at: f.sent.from,
      detail: binding.waypoint ? `sends the connection over HBONE to waypoint ${id(binding.waypoint)} (${binding.via}), which serves pod-addressed traffic` :
        `no waypoint for the pods of ${w.kind} ${id(w)} (${binding.via}: ${binding.reason}): straight to the pod, no Wasm plugin runs on the way` });
    if (binding.waypoint) {
      const wp = binding.waypoint;
      if (proxyKindOf(this.model, wp) === ProxyKind.EAST_WEST) {
        return { status: 'unknown', reason: `the pods of ${w.kind} ${id(w)} are bound to east-west gateway ${id(wp)}, which builds no chain for pod-addressed traffic (listener_waypoint.go); what happens is not simulated`, subRequests: [] };
      }
      // the direct-workload chain sniffs the protocol: curl's HTTP takes its HTTP chain
      const chain: Chain = { place: { proxy: wp, kind: ProxyKind.WAYPOINT }, protocol: 'http', listenerPort: 0 };
      const out = this.runAt(f, chain, [wp.namespace, this.model.rootNamespace], req);
      f.hops.push({ kind: 'waypoint', at: id(wp), origin: wp.origin, plugins: out.traces,
        detail: `${id(wp)}, direct-workload HTTP chain for ${w.kind} ${id(w)} (bound by ${binding.via}); no Service, so Service-targeted plugins never run here` });
      if (out.stop) return this.stopOutcome(`waypoint ${id(wp)}`, out);
    }
    f.hops.push({ kind: 'destination', at: id(w), origin: w.entry.origin, detail: `reaches a pod of ${w.kind} ${id(w)} on port ${port}` });
    return { status: 200, reason: `reached ${w.kind} ${id(w)}`, subRequests: [] };
  }

  private atIngress(f: Flight, target: Extract<Target, { kind: 'ingress' }>, req: RouteRequest): Outcome {
    const gw = target.gateway;
    const chosen = this.chooseListeners(f, gw, target.port);
    if ('outcome' in chosen) return chosen.outcome;
    const chain: Chain = { place: { proxy: gw, kind: ProxyKind.INGRESS }, protocol: 'http', listenerPort: target.port };
    const out = this.runAt(f, chain, [gw.namespace, this.model.rootNamespace], req);
    req = this.after(req, out);
    f.hops.push({ kind: 'ingress', at: id(gw), origin: gw.origin, plugins: out.traces,
      detail: `${id(gw)} (class ${this.model.gatewayClassName(gw)}), listener ${chosen.listeners.map((l) => l.name).join(', ')} port ${target.port}; Wasm plugins run before routing` });
    if (out.stop) return this.stopOutcome(`ingress gateway ${id(gw)}`, out);
    const route = matchRoute(this.model, gw, chosen.listeners, req, f.url?.scheme ?? 'http', target.port);
    f.notes.push(...route.notes);
    f.hops.push({ kind: 'route', at: route.route ? id(route.route) : id(gw), origin: route.route?.origin, detail: route.detail });
    if (route.outcome === 'miss' || route.outcome === 'answered') {
      const response: LocalResponse | undefined = route.location ? { headers: { Location: route.location } } : undefined;
      return { status: route.status!, reason: `ingress gateway ${id(gw)}: ${route.detail}`, ...(response ? { response } : {}), subRequests: [] };
    }
    if (route.outcome === 'unknown') return { status: 'unknown', reason: route.detail, subRequests: [] };
    const legs = route.backends.map((b) => ({ b, f: { ...f, hops: [...f.hops], notes: [...f.notes], responders: f.responders ? [...f.responders] : undefined } as Flight }));
    if (legs.length === 0) return { status: 500, reason: `ingress gateway ${id(gw)}: ${route.detail} has no backend`, subRequests: [] };
    const outcomes = legs.map((l) => this.toBackend(l.f, route.route!, l.b, route.forwarded));
    const first = legs[0];
    f.hops.splice(0, f.hops.length, ...first.f.hops);
    f.notes.splice(0, f.notes.length, ...first.f.notes);
    f.responders = first.f.responders;
    if (outcomes.some((o) => o.status !== outcomes[0].status)) {
      const each = legs.map((l, i) => `${l.b.name} (weight ${l.b.weight}): ${outcomes[i].status}`).join(', ');
      return { status: 'unknown', reason: `the route splits traffic across backends that answer differently: ${each}`, subRequests: [] };
    }
    if (legs.length > 1) f.notes.push(`the route splits traffic across ${legs.length} backends; all get ${outcomes[0].status}, the trace follows ${first.b.name}`);
    return outcomes[0];
  }

  /** From the gateway to one backend of the matched rule. */
  private toBackend(f: Flight, route: Entry, b: BackendResolution, req: RouteRequest): Outcome {
    const where = `${route.kind} ${id(route)} ${b.field}`;
    if (b.failure !== undefined) {
      // istiod sets Envoy's cluster_not_found_response_code to 500 on Gateway API routes (route.go applyHTTPRouteDestination)
      const what = b.failure === BackendFailure.NOT_PERMITTED ? 'a backend the route may not reference' : b.failure === BackendFailure.UNSUPPORTED_KIND ? 'a backend kind istiod does not route to' : 'an unresolved backend';
      return { status: 500, reason: `the ingress gateway answers 500: ${where}: ${b.why} (${what})`, subRequests: [] };
    }
    const svc = b.target!;
    if (svc.kind === 'ServiceEntry') return this.atDestination(f, svc, req);
    const ports: any[] = Array.isArray(svc.manifest.spec?.ports) ? svc.manifest.spec.ports : [];
    const p = ports.find((x) => x?.port === b.port);
    if (!p) {
      return { status: 'unknown', reason: `${where}: Service ${id(svc)} has no port ${b.port ?? '(none given)'}`, subRequests: [] };
    }
    const proto = portProtocol(svc, p);
    if (proto.protocol === 'udp') return { status: 'unknown', reason: `${where}: Service ${id(svc)} port ${b.port} is UDP`, subRequests: [] };
    const useWaypoint = ingressUseWaypoint(this.model, svc);
    if (useWaypoint.invalid !== undefined) f.notes.push(`${useWaypoint.why}; istiod logs a warning`);
    const binding = resolveWaypoint(this.model, svc, 'service');
    if (useWaypoint.on && hasNoVip(svc)) {
      // endpoint_builder.go findServiceWaypoint: "No VIP, so skip this"
      f.notes.push(`Service ${id(svc)} is headless: ingress gateways send to its pods directly even with ${useWaypoint.why}, since waypoints accept only VIP traffic`);
    } else if (useWaypoint.on) {
      return this.toService(f, { kind: 'service', svc, port: b.port!, protocol: proto.protocol, how: '' }, req, 'gateway');
    }
    if (binding.waypoint) {
      f.notes.push(`Service ${id(svc)} is bound to waypoint ${id(binding.waypoint)}, but the ingress gateway sends straight to its endpoints (${useWaypoint.why}), so the waypoint's plugins do not see this request`);
    }
    return this.atDestination(f, svc, req);
  }

  /** Plugins that target a Service no waypoint serves never run: say so where the request passes unchecked. */
  private noteOpenDoor(f: Flight, svc: Entry): void {
    for (const p of this.model.extensionsIn(svc.namespace)) {
      if (targetRefsOfEntry(p).some((r) => refIs(r, svc.kind) && r.name === svc.name)) {
        f.notes.push(`${p.kind} ${id(p)} targets ${svc.kind} ${id(svc)}, but no waypoint serves it, so the plugin never runs (for an auth plugin, an open door)`);
      }
    }
  }

  /** The request reaches the Service's pods: 200, or what Bookinfo's productpage answers from its own calls. */
  private atDestination(f: Flight, svc: Entry, req: RouteRequest): Outcome {
    if (svc.kind === 'ServiceEntry') {
      const sel = svc.manifest.spec?.workloadSelector?.labels;
      const ws = sel ? (this.workloadsByNs.get(svc.namespace) ?? []).filter((w) => selects(sel, w)) : [];
      f.hops.push({ kind: 'destination', at: id(svc), origin: svc.origin,
        detail: ws.length > 0 ? `reaches ${ws.map((w) => `${w.kind} ${id(w)}`).join(', ')} (workloadSelector of ServiceEntry ${id(svc)})` : `reaches the endpoints of ServiceEntry ${id(svc)}` });
      f.notes.push(`the destination's own answer is not simulated; reaching ServiceEntry ${id(svc)} counts as 200`);
      return { status: 200, reason: `reached the endpoints of ServiceEntry ${id(svc)}`, subRequests: [] };
    }
    const selector = svc.manifest.spec?.selector;
    const ws = (this.workloadsByNs.get(svc.namespace) ?? []).filter((w) => selects(selector, w));
    if (ws.length === 0) {
      const why = selector && Object.keys(selector).length > 0 ? `no workload in the manifests matches its selector ${JSON.stringify(selector)}` : 'it has no selector';
      f.hops.push({ kind: 'destination', at: id(svc), origin: svc.origin, detail: `Service ${id(svc)}: ${why}` });
      return { status: 'unknown', reason: `the request passes every proxy, but Service ${id(svc)} has no known endpoints (${why}), so what answers is unknown`, subRequests: [] };
    }
    const names = ws.map((w) => `${w.kind} ${id(w)}`);
    f.hops.push({ kind: 'destination', at: id(ws[0]), origin: ws[0].entry.origin,
      detail: `reaches ${ws.length === 1 ? names[0] : `one of ${names.join(', ')}`} behind Service ${id(svc)}` });
    const reached = `reached ${ws.length === 1 ? names[0] : `one of the ${ws.length} workloads of Service ${id(svc)}`}`;
    if (svc.name !== 'productpage' || f.depth > 0) return { status: 200, reason: reached, subRequests: [] };
    const plan = productpagePlan(ws[0], req.method, req.path);
    if (!plan) return { status: 200, reason: reached, subRequests: [] };
    const subRequests = plan.calls.map((c) => this.call(f, ws[0], c, req));
    for (const sr of subRequests) f.notes.push(...sr.result.notes);
    if (plan.status === 'page') {
      const failed = subRequests.filter((s) => s.result.status !== 200);
      const detail = failed.length === 0 ? 'the page renders with all its blocks' : `the page renders, but ${failed.map((s) => s.effect).join('; ')}`;
      return { status: 200, reason: `${reached}; Bookinfo productpage answers 200: ${detail}`, subRequests };
    }
    const s = subRequests[0];
    if (s.result.status === 200) return { status: 200, reason: `${reached}; productpage answers with its call's 200`, subRequests };
    return { status: s.result.status, reason: `${reached}; productpage answers with the status of its call ${s.result.request.url}: ${s.result.reason}`, subRequests };
  }

  /** One call productpage makes, simulated from its own workload with the headers it forwards. */
  private call(parent: Flight, from: Workload, c: PlannedCall, incoming: RouteRequest): SubRequest {
    const headers = forwardedHeaders(incoming.headers);
    const request: SimulationRequest = { from: id(from), method: 'GET', url: c.url, headers };
    const { sent, url } = toSent(request);
    const f: Flight = { sent, hops: [], notes: [], depth: parent.depth + 1 };
    const result = this.finish(f, this.fromClient(f, from, url));
    const fwd = headers.map(([n]) => n).join(', ') || 'none of the caller\'s headers';
    const status = result.status;
    const attempts = status === 200 ? 1 : c.attempts;
    const effect = status === 200 ? `${c.purpose} renders` : status === 'unknown' ? `whether ${c.purpose} renders is unknown (${result.reason})` :
      `${c.purpose} shows "${c.failureText}" (the call got ${status})`;
    const tried = attempts > 1 ? ', sent twice (productpage retries a failed reviews call once)' : '';
    return { purpose: `${c.purpose}: productpage (${from.kind} ${id(from)}) calls GET ${c.url}, forwarding ${fwd}${tried}`, attempts, effect, result };
  }
}

/**
 * Predicts the HTTP status a request gets, and why, from manifests or a built model (pure, no file access).
 * Build a {@link Simulator} once when simulating many requests against the same manifests.
 */
export function simulate(input: SimulationInput, request: SimulationRequest, options: SimulatorOptions = {}): SimulationResult {
  return Simulator.from(input, options).simulate(request);
}

/** The status as curl's `-w "%{http_code}"` prints it, or `unknown`. */
export function statusText(status: SimulationStatus): string {
  return typeof status === 'number' ? String(status) : 'unknown';
}

/** A listener's name as the generated Service's port name; any JSON value, even an object without a prototype. */
function portName(v: unknown): string {
  if (v === undefined || v === null) return '';
  // String() throws on an object without a prototype (no toString), which hostile JSON can hold
  return typeof v === 'object' && Object.getPrototypeOf(v) === null ? '[object Object]' : String(v);
}
