/**
 * `cdk8s-istio-ambient/graph`: the mesh as a picture (which plugin guards which Service, through which proxy),
 * in Mermaid or DOT. `meshGraph()` and the renderers are pure.
 */
export * from './graph';
export * from './render';
