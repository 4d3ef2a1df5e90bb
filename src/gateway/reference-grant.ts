import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ReferenceGrant as ReferenceGrantL1, ReferenceGrantProps as ReferenceGrantL1Props } from '../imports/gateway.networking.k8s.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { checkLabelName, checkObjectName } from '../rules/wasm-fields';

/** Who may reference: objects of one kind in one namespace. */
export interface ReferenceGrantFrom {
  /** API group of the referring kind. @default "gateway.networking.k8s.io" */
  readonly group?: string;
  /** `Gateway` (for certificates), `HTTPRoute` or `GRPCRoute` (for backends). */
  readonly kind: string;
  /** Namespace of the referring objects. */
  readonly namespace: string;
}

/** What may be referenced, in the grant's namespace. */
export interface ReferenceGrantTo {
  /** API group; `""` for core kinds. @default "" */
  readonly group?: string;
  /** `Secret` (for certificates) or `Service` (for backends). */
  readonly kind: string;
  /** One object by name. @default - every object of that kind in the namespace */
  readonly name?: string;
}

/** Props of {@link ReferenceGrant}. */
export interface ReferenceGrantProps {
  /** `metadata.name`. */
  readonly name: string;
  /**
   * Namespace of the grant: the namespace of the objects it lets others reference.
   *
   * @default - the enclosing AmbientNamespace or chart namespace, else "default"
   */
  readonly namespace?: string;
  /** Who may reference; more with `addFrom()`. @default - none */
  readonly from?: ReferenceGrantFrom[];
  /** What may be referenced; more with `addTo()`. @default - none */
  readonly to?: ReferenceGrantTo[];
}

/**
 * A Gateway API `ReferenceGrant`: the owner of a namespace lets routes or Gateways of another namespace reference its
 * Services or Secrets. istiod refuses a cross-namespace backend or certificate without one.
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/referencegrant/
 */
export class ReferenceGrant extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** The ReferenceGrant object. */
  public readonly apiObject: ApiObject;
  private readonly froms: ReferenceGrantFrom[] = [];
  private readonly tos: ReferenceGrantTo[] = [];

  constructor(scope: Construct, id: string, props: ReferenceGrantProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = namespaceOf(this, props.namespace);
    throwIfProblems(this, 'ReferenceGrant', this.namespace, this.name, [...checkObjectName(this.name), ...checkLabelName(this.namespace, 'metadata.namespace')]);
    this.apiObject = crdObject<ReferenceGrantL1Props>(this, 'Resource', ReferenceGrantL1.GVK, {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        // both lists can grow after construction: rendered at synth
        from: Lazy.any({ produce: () => this.froms.map((f) => ({ group: f.group ?? 'gateway.networking.k8s.io', kind: f.kind, namespace: f.namespace })) }) as any,
        to: Lazy.any({ produce: () => this.tos.map((t) => ({ group: t.group ?? '', kind: t.kind, ...(t.name !== undefined ? { name: t.name } : {}) })) }) as any,
      },
    });
    MeshContext.of(this).own(this, this.apiObject);
    for (const f of props.from ?? []) this.addFrom(f);
    for (const t of props.to ?? []) this.addTo(t);
  }

  /** Lets objects of one more kind and namespace reference (once each). */
  public addFrom(from: ReferenceGrantFrom): void {
    const same = (f: ReferenceGrantFrom) => (f.group ?? 'gateway.networking.k8s.io') === (from.group ?? 'gateway.networking.k8s.io') && f.kind === from.kind && f.namespace === from.namespace;
    if (this.froms.some(same)) return;
    throwIfProblems(this, 'ReferenceGrant', this.namespace, this.name, checkLabelName(from.namespace, `spec.from[${this.froms.length}].namespace`));
    this.froms.push({ ...from });
    MeshContext.of(this).invalidate();
  }

  /** Lets one more kind (or object) of this namespace be referenced (once each). */
  public addTo(to: ReferenceGrantTo): void {
    if (this.tos.some((t) => (t.group ?? '') === (to.group ?? '') && t.kind === to.kind && t.name === to.name)) return;
    this.tos.push({ ...to });
    MeshContext.of(this).invalidate();
  }
}
