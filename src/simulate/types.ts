/**
 * The shapes the simulator takes and returns. Plain data, so a result prints as JSON as it is.
 */

/** An HTTP request as a workload inside the mesh sends it (what `kubectl exec deploy/x -- curl ...` does). */
export interface SimulationRequest {
  /** The client: `<namespace>/<workload>` (a Deployment, StatefulSet, DaemonSet, Job, ReplicaSet or Pod), or `<namespace>/<kind>/<name>`. */
  readonly from: string;
  /** @default "GET" */
  readonly method?: string;
  /** `http://<host>[:port][/path][?query]`; the scheme may be left out, as with curl. */
  readonly url: string;
  /** Request headers, as a map or as `[name, value]` pairs (order kept, names case-insensitive). */
  readonly headers?: Record<string, string> | ReadonlyArray<readonly [string, string]>;
  /**
   * curl's `--connect-to HOST1:PORT1:HOST2:PORT2`: connect to HOST2:PORT2 when the URL names HOST1:PORT1 (empty
   * parts match any / keep the URL's), so `https://shop.example.com/` can reach an ingress gateway's Service while
   * SNI and Host stay `shop.example.com`. The first entry that applies is used.
   */
  readonly connectTo?: readonly string[];
}

/** `unknown` when the manifests do not decide the outcome; `reason` then says why. */
export type SimulationStatus = number | 'unknown';

/** What the simulator reports for one request. */
export interface SimulationResult {
  /** The request as sent on the wire (method, URL, headers after curl's rules). */
  readonly request: SentRequest;
  readonly status: SimulationStatus;
  /** One line: what produced the status (the plugin that answered, the route miss, the workload reached...). */
  readonly reason: string;
  /** A local reply's body and headers (a plugin's 401, a route's redirect). */
  readonly response?: LocalResponse;
  /** The proxies and decisions on the way, in order. */
  readonly hops: Hop[];
  /** Sub-requests the destination application makes while answering (Bookinfo productpage). */
  readonly subRequests: SubRequest[];
  /** Assumptions and facts worth knowing about this result. */
  readonly notes: string[];
}

export interface SentRequest {
  readonly from: string;
  readonly method: string;
  readonly url: string;
  /** `:authority` as the proxies see it (the Host header). */
  readonly authority: string;
  /** `:path` with its query string, after curl removed dot segments. */
  readonly path: string;
  readonly headers: Array<[string, string]>;
}

export interface LocalResponse {
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** What a hop is. */
export type HopKind = 'client' | 'resolve' | 'ztunnel' | 'waypoint' | 'ingress' | 'tls' | 'route' | 'destination' | 'response';

export interface Hop {
  readonly kind: HopKind;
  /** The object this hop is about, `namespace/name`. */
  readonly at: string;
  /** What happened there, one line. */
  readonly detail: string;
  /** Where the object is defined (`file:line`, or how it is derived). */
  readonly origin?: string;
  /** At a proxy: every candidate plugin, attached or not, in the order considered (those that run first, in run order). */
  readonly plugins?: PluginTrace[];
}

/** What became of one candidate plugin at one proxy. */
export type PluginOutcome = 'not-attached' | 'filtered' | 'not-in-force' | 'passed' | 'denied' | 'unknown' | 'not-reached';

export interface PluginTrace {
  /** `namespace/name`. */
  readonly plugin: string;
  readonly kind: string;
  readonly origin: string;
  readonly attached: boolean;
  /** Why it attaches or not (SEMANTICS 4.3/4.4). */
  readonly attachReason: string;
  readonly outcome: PluginOutcome;
  /** Why it was filtered, not in force, passed, denied or undecided. */
  readonly detail: string;
  /** 1-based run position among the plugins that run at this proxy. */
  readonly order?: number;
  /** The sort key that gave that position (phase, priority, namespace, creation, name). */
  readonly orderKey?: string;
  /** basic_auth: one decision per rule, in config order. */
  readonly rules?: RuleTrace[];
}

/** What one basic_auth rule decided. */
export type RuleDecision = 'method-not-listed' | 'host-mismatch' | 'path-mismatch' | 'accepted' | 'no-basic-auth-data'
| 'invalid-credentials' | 'undecidable' | 'not-reached';

export interface RuleTrace {
  /** Index in `basic_auth_rules`. */
  readonly index: number;
  /** e.g. `prefix "/productpage"`. */
  readonly matcher: string;
  readonly methods: string[];
  readonly decision: RuleDecision;
  readonly detail: string;
}

/** A request the destination application makes while answering, and what it got. */
export interface SubRequest {
  /** What the application does with it, e.g. `the page's reviews block`. */
  readonly purpose: string;
  /** How many times the application sends it when it fails (productpage retries reviews once). */
  readonly attempts: number;
  /** What the caller sees because of it, e.g. the error text rendered in the page. */
  readonly effect: string;
  readonly result: SimulationResult;
}

/** A request of a batch, with the status it should get. */
export interface Check extends SimulationRequest {
  /** A label for the report. @default - the method and URL */
  readonly name?: string;
  readonly expect: SimulationStatus;
  /** Where the check is written (`file:line`), for reports. */
  readonly origin?: string;
}

export interface CheckResult {
  readonly check: Check;
  readonly ok: boolean;
  readonly result: SimulationResult;
}

export interface BatchResult {
  readonly passed: number;
  readonly failed: number;
  readonly results: CheckResult[];
}
