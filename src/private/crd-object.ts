import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { merged } from '../model/merged';

/**
 * An object of a CRD kind whose props are type-checked against the generated L1 class (`src/imports/`), rendered
 * as a plain ApiObject: the L1's toJson() re-maps every field into the very shape we build, at ~10 µs an
 * object, and keeps GitOpsApp from rendering it on the fast path. A test renders each kind both ways and
 * compares the bytes.
 */
export function crdObject<P extends { readonly metadata?: ApiObjectMetadata }>(scope: Construct, id: string, gvk: GroupVersionKind, props: P): ApiObject {
  return new ApiObject(scope, id, merged(gvk, props));
}
