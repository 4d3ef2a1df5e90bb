import { ApiObject } from 'cdk8s';
import { IService } from '../core/service';

/**
 * A Service of a sample (Bookinfo's, a sample client's): the plain ApiObject, typed as a Service, so it can be a
 * policy target (`PolicyTarget.fromService()`) or be bound to a waypoint (`Waypoint.bindService()`).
 */
export class SampleService extends ApiObject implements IService {
  /** `spec.type`: the samples leave it unset, which is `ClusterIP`. */
  public readonly type: string = 'ClusterIP';
}
