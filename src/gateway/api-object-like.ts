import { IConstruct } from 'constructs';

/** The part of an object's metadata a Gateway API reference reads and writes. */
export interface IObjectMetadataLike {
  /** `metadata.namespace`, when set. */
  readonly namespace?: string;
  /** Adds a label to the object. */
  addLabel(key: string, value: string): void;
}

/**
 * Any construct that renders one Kubernetes object and shows its identity: a cdk8s `ApiObject` (the Services of
 * the `Bookinfo` sample are those), or a cdk8s-plus resource of any version (`kplus.Service`, `kplus.TlsSecret`).
 * Structural, so no cdk8s-plus type is part of this library's API; the kind is checked where it is used.
 */
export interface IApiObjectLike extends IConstruct {
  /** e.g. `v1`. */
  readonly apiVersion: string;
  /** e.g. `Service`. */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /** The object's metadata. */
  readonly metadata: IObjectMetadataLike;
}

/** Throws unless `obj` is a core/v1 object of `kind`, naming the caller, the argument and the object. */
export function checkCoreKind(obj: IApiObjectLike, kind: string, caller: string, argument: string, fix: string): void {
  const got = `${obj?.apiVersion}/${obj?.kind}`;
  if (obj?.apiVersion !== 'v1' || obj?.kind !== kind) {
    const where = obj?.node?.path !== undefined ? ` (${obj.node.path})` : '';
    throw new Error(`${caller}${where}: ${argument}: must be a core/v1 ${kind} (got ${JSON.stringify(got)}); ${fix}`);
  }
}
