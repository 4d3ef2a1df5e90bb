/**
 * Which controller runs a Gateway, as istiod decides it: the GatewayClass object's `controllerName` when the
 * class exists among the manifests, else the built-in classes istiod creates when they are missing
 * (istio@1.30.3:pilot/pkg/config/kube/gatewaycommon/gatewayclass_collection.go `FetchGatewayClass`,
 * classinfo.go `GetBuiltinGatewayClasses`, `GetClassInfos`). A Gateway whose controller istiod does not know is
 * someone else's: istiod deploys nothing for it and no Wasm runs there.
 */

/** `controllerName` of Istio's ingress gateways (PILOT_GATEWAY_API_CONTROLLER_NAME's default). */
export const GATEWAY_CONTROLLER = 'istio.io/gateway-controller';
/** `controllerName` of waypoints. */
export const MESH_CONTROLLER = 'istio.io/mesh-controller';
/** `controllerName` of ambient east-west gateways (known only with AMBIENT_ENABLE_MULTI_NETWORK). */
export const EAST_WEST_CONTROLLER = 'istio.io/eastwest-controller';
/** `controllerName` of `istio-remote` Gateways: known to istiod, which programs nothing for them. */
export const UNMANAGED_CONTROLLER = 'istio.io/unmanaged-gateway';

/** The class names istiod creates by itself (PILOT_GATEWAY_API_DEFAULT_GATEWAYCLASS_NAME and constants.go). */
export const INGRESS_CLASS_NAME = 'istio';
export const WAYPOINT_CLASS_NAME = 'istio-waypoint';
export const EAST_WEST_CLASS_NAME = 'istio-east-west';
export const REMOTE_CLASS_NAME = 'istio-remote';

/** What istiod makes of a Gateway. */
export enum GatewayRole {
  /** An Envoy ingress gateway istiod deploys and programs (template kube-gateway). */
  INGRESS = 'ingress',
  /** A waypoint proxy (template waypoint, proxy type waypoint). */
  WAYPOINT = 'waypoint',
  /** An ambient east-west gateway: a waypoint-type proxy with TCP chains only. */
  EAST_WEST = 'east-west',
  /** An `istio-remote` Gateway: istiod knows the class but deploys and programs nothing. */
  REMOTE = 'remote',
  /** A class istiod does not handle (another controller, or no class at all): no Istio proxy, no Wasm. */
  FOREIGN = 'foreign',
}

/** The built-in class names and their controllers, with the flags of a default ambient install. */
export function builtinGatewayClasses(ambientMultiNetwork: boolean): ReadonlyMap<string, string> {
  const m = new Map<string, string>([
    [INGRESS_CLASS_NAME, GATEWAY_CONTROLLER],
    // PILOT_MULTI_NETWORK_DISCOVER_GATEWAY_API defaults to true
    [REMOTE_CLASS_NAME, UNMANAGED_CONTROLLER],
    [WAYPOINT_CLASS_NAME, MESH_CONTROLLER],
  ]);
  if (ambientMultiNetwork) m.set(EAST_WEST_CLASS_NAME, EAST_WEST_CONTROLLER);
  return m;
}

/** The role a controller name gives a Gateway (ClassInfos: unknown controllers are skipped). */
export function roleOfController(controller: string | undefined, ambientMultiNetwork: boolean): GatewayRole {
  switch (controller) {
    case GATEWAY_CONTROLLER: return GatewayRole.INGRESS;
    case MESH_CONTROLLER: return GatewayRole.WAYPOINT;
    case EAST_WEST_CONTROLLER: return ambientMultiNetwork ? GatewayRole.EAST_WEST : GatewayRole.FOREIGN;
    case UNMANAGED_CONTROLLER: return GatewayRole.REMOTE;
    default: return GatewayRole.FOREIGN;
  }
}

/** Whether the proxy is of type waypoint (`Proxy.IsWaypointProxy`): waypoints and east-west gateways. */
export function isWaypointType(role: GatewayRole): boolean {
  return role === GatewayRole.WAYPOINT || role === GatewayRole.EAST_WEST;
}
