/**
 * The labels Istio ambient mode reads, as constants.
 *
 * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
 */
export class AmbientLabels {
  /** Namespace or pod label that puts workloads in the ambient mesh (value `ambient`, or `none` to opt a pod out). */
  public static readonly DATAPLANE_MODE = 'istio.io/dataplane-mode';
  /** Binds a Namespace, Service, ServiceEntry or pod to a waypoint by name (`none` opts out). */
  public static readonly USE_WAYPOINT = 'istio.io/use-waypoint';
  /** Namespace of the waypoint named by `istio.io/use-waypoint`, when it lives elsewhere. */
  public static readonly USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
  /** On a waypoint: which traffic it accepts (service, workload, all, none). */
  public static readonly WAYPOINT_FOR = 'istio.io/waypoint-for';
  /** On a Service or Namespace: send ingress gateway traffic through the waypoint too. */
  public static readonly INGRESS_USE_WAYPOINT = 'istio.io/ingress-use-waypoint';
  /** Istio revision label. */
  public static readonly REVISION = 'istio.io/rev';

  private constructor() {}
}
