import { MeshContext } from '../private/mesh-context';
import { AmbientLabels } from '../ambient/labels';
import { IService, serviceRefOf } from '../core/service';

/**
 * `istio.io/ingress-use-waypoint`: whether Istio ingress gateways send a Service's traffic through its waypoint
 * (to the Service VIP) instead of straight to its pods. Without it, plugins at the waypoint never see ingress
 * traffic. Set on a Service (it wins) or on a namespace (`AmbientNamespace`'s `ingressUseWaypoint` prop).
 *
 * @see https://istio.io/latest/docs/ambient/usage/l7-features/
 */
export class IngressUseWaypoint {
  /**
   * Labels a Service `istio.io/ingress-use-waypoint: "true"` (or `"false"`, which overrides a namespace's `true`).
   * The Service must be bound to a waypoint for this to change anything.
   */
  public static onService(service: IService, enabled: boolean = true): void {
    serviceRefOf(service, 'IngressUseWaypoint.onService');
    service.metadata.addLabel(AmbientLabels.INGRESS_USE_WAYPOINT, enabled ? 'true' : 'false');
    MeshContext.of(service.node.root).invalidate();
  }

  private constructor() {}
}
