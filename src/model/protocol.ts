/**
 * The protocol istiod gives a Service or ServiceEntry port, and the filter chains a waypoint builds for it
 * (istio@1.30.3:pkg/config/kube/conversion.go `ConvertProtocol`, pkg/config/protocol/instance.go `Parse`,
 * pilot/pkg/networking/core/listener_waypoint.go `buildWaypointInternal`).
 */
import { Entry, MeshModel } from './mesh-model';
import { GatewayRole } from './gateway-class';

/** Istio's protocol names (`protocol.Instance`). */
export enum Protocol {
  GRPC = 'GRPC',
  GRPC_WEB = 'GRPC-Web',
  HTTP = 'HTTP',
  HTTP_PROXY = 'HTTP_PROXY',
  HTTP2 = 'HTTP2',
  HTTPS = 'HTTPS',
  TCP = 'TCP',
  TLS = 'TLS',
  UDP = 'UDP',
  MONGO = 'Mongo',
  REDIS = 'Redis',
  MYSQL = 'MySQL',
  /** Not declared (or not a name Istio knows): sniffed. */
  UNSUPPORTED = 'UnsupportedProtocol',
}

const BY_NAME: Record<string, Protocol> = {
  tcp: Protocol.TCP, udp: Protocol.UDP, grpc: Protocol.GRPC, 'grpc-web': Protocol.GRPC_WEB, http: Protocol.HTTP,
  http_proxy: Protocol.HTTP_PROXY, http2: Protocol.HTTP2, https: Protocol.HTTPS, tls: Protocol.TLS, mongo: Protocol.MONGO,
  redis: Protocol.REDIS, mysql: Protocol.MYSQL,
};

/** `protocol.Parse`: case-insensitive, anything else is unsupported (sniffed). */
export function parseProtocol(s: unknown): Protocol {
  return typeof s === 'string' ? BY_NAME[s.toLowerCase()] ?? Protocol.UNSUPPORTED : Protocol.UNSUPPORTED;
}

// ports istiod never sniffs (SMTP, DNS, MySQL, MongoDB)
const WELL_KNOWN_TCP_PORTS = [25, 53, 3306, 27017];

/** `kube.ConvertProtocol`: UDP, then appProtocol (with the kubernetes.io names), else the port name's prefix. */
export function servicePortProtocol(port: { port?: unknown; name?: unknown; protocol?: unknown; appProtocol?: unknown }): Protocol {
  if (port.protocol === 'UDP') return Protocol.UDP;
  let name = typeof port.name === 'string' ? port.name : '';
  if (typeof port.appProtocol === 'string') {
    name = port.appProtocol;
    if (name === 'kubernetes.io/h2c') return Protocol.HTTP2;
    if (name === 'kubernetes.io/ws') return Protocol.HTTP;
    if (name === 'kubernetes.io/wss') return Protocol.HTTPS;
  }
  if (name.length >= 8 && name.slice(0, 8).toLowerCase() === 'grpc-web') return Protocol.GRPC_WEB;
  const dash = name.indexOf('-');
  const p = parseProtocol(dash >= 0 ? name.slice(0, dash) : name);
  if (p === Protocol.UNSUPPORTED && typeof port.port === 'number' && WELL_KNOWN_TCP_PORTS.includes(port.port)) return Protocol.TCP;
  return p;
}

/** The protocol of port `number` of a Service (`spec.ports[].port`) or ServiceEntry (`spec.ports[].number`). */
export function portProtocolOf(svc: Entry, port: any): Protocol {
  return svc.kind === 'ServiceEntry' ? parseProtocol(port?.protocol) : servicePortProtocol(port ?? {});
}

/** `IsHTTP`: the port carries HTTP (HTTP/1.1, HTTP/2, gRPC). */
export function isHttpProtocol(p: Protocol): boolean {
  return [Protocol.HTTP, Protocol.HTTP2, Protocol.HTTP_PROXY, Protocol.GRPC, Protocol.GRPC_WEB].includes(p);
}

/** The chains a waypoint builds for one service port: HTTP, TCP, both (sniffing), or none. */
export enum PortChains {
  HTTP = 'http',
  TCP = 'tcp',
  /** Protocol not declared: a TCP and an HTTP chain behind protocol detection. */
  SNIFFED = 'sniffed',
  /** UDP: skipped. */
  NONE = 'none',
}

/** `buildWaypointInternal` for a regular waypoint: the chains of a port of the given protocol. */
export function waypointPortChains(p: Protocol): PortChains {
  if (p === Protocol.UDP) return PortChains.NONE;
  if (p === Protocol.UNSUPPORTED) return PortChains.SNIFFED;
  return isHttpProtocol(p) ? PortChains.HTTP : PortChains.TCP;
}

/** The virtual IPs of a Service as istiod reads them (`getVIPs`): none for headless (`None`). */
export function serviceVips(svc: Entry): string[] | 'assigned' {
  const spec = svc.manifest.spec ?? {};
  const ips: unknown[] = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0 ? spec.clusterIPs : [spec.clusterIP];
  if (ips.every((ip) => ip === undefined || ip === null || ip === '')) {
    // the API server allocates one unless the Service is headless or ExternalName
    return spec.type === 'ExternalName' ? [] : 'assigned';
  }
  return ips.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
}

/** Whether a Service has no virtual IP: headless (`clusterIP: None`) or ExternalName. */
export function hasNoVip(svc: Entry): boolean {
  if (svc.kind !== 'Service') return false;
  const v = serviceVips(svc);
  return v !== 'assigned' && v.length === 0;
}

/** Whether the Service is of type ExternalName, which the ambient index leaves out (services.go). */
export function isExternalName(svc: Entry): boolean {
  return svc.kind === 'Service' && svc.manifest.spec?.type === 'ExternalName';
}

/** What a waypoint-type proxy builds for one Service port, or for pod-addressed traffic (no Service). */
export interface WaypointChains {
  readonly chains: PortChains;
  /** Whether the chain carries the Service (Service-targeted plugins can match); false on east-west gateways. */
  readonly withService: boolean;
  readonly reason: string;
}

/**
 * The chains `buildWaypointInternal` builds on waypoint `proxy` for port `port` of `svc`, or the direct-workload
 * chain when `svc` is undefined: HTTP, TCP or both (sniffed) by the port's protocol; none for UDP or a
 * Service without a virtual IP; an east-west gateway builds TCP chains without the Service and no
 * direct-workload chain. It does not check that the Service is bound to the proxy.
 */
export function waypointChainsFor(model: MeshModel, proxy: Entry, svc?: Entry, port?: number): WaypointChains {
  const role = model.gatewayRole(proxy);
  const eastWest = role === GatewayRole.EAST_WEST;
  if (role !== GatewayRole.WAYPOINT && !eastWest) return { chains: PortChains.NONE, withService: false, reason: 'not a waypoint-type proxy' };
  if (!svc) {
    return eastWest ? { chains: PortChains.NONE, withService: false, reason: 'east-west gateways build no direct-workload chain' }
      : { chains: PortChains.SNIFFED, withService: false, reason: 'the direct-workload chains (direct-tcp, direct-http) sniff the protocol' };
  }
  if (hasNoVip(svc)) return { chains: PortChains.NONE, withService: false, reason: 'the Service has no virtual IP, so no address leads to its chains' };
  const ports: any[] = Array.isArray(svc.manifest.spec?.ports) ? svc.manifest.spec.ports : [];
  const p = ports.find((x) => (svc.kind === 'ServiceEntry' ? x?.number : x?.port) === port);
  if (!p) return { chains: PortChains.NONE, withService: false, reason: `the ${svc.kind} has no port ${port}` };
  const proto = portProtocolOf(svc, p);
  if (proto === Protocol.UDP) return { chains: PortChains.NONE, withService: false, reason: 'UDP ports are skipped' };
  if (eastWest) return { chains: PortChains.TCP, withService: false, reason: 'an east-west gateway sends every port to a TCP chain built without the Service' };
  const chains = waypointPortChains(proto);
  return { chains, withService: true, reason: `protocol ${proto}` };
}
