/**
 * What Bookinfo's productpage does while answering, read from its source
 * (istio/istio `samples/bookinfo/src/productpage/productpage.py`):
 * - `GET /productpage` calls `http://details:9080/details/0`, then `http://reviews:9080/reviews/0` (a second time
 *   when the first answer is not 200), and renders the page (200) whatever they answered; a failed call shows an
 *   error text in its block.
 * - `GET /api/v1/products/<id>` answers with the status of `GET /details/<id>`; `/reviews` and `/ratings` under it
 *   likewise (reviews tried twice).
 * - Each call carries a fixed list of the incoming headers (`getForwardHeaders`), `authorization` among them.
 * - Host names come from `DETAILS_HOSTNAME`, `REVIEWS_HOSTNAME`, `RATINGS_HOSTNAME` and `SERVICES_DOMAIN` when set.
 */
import { Workload, envValue } from './workloads';

/** Incoming headers productpage copies onto its calls (it also adds its own tracing headers). */
export const PRODUCTPAGE_FORWARDED_HEADERS = [
  'x-request-id', 'x-ot-span-context', 'x-datadog-trace-id', 'x-datadog-parent-id', 'x-datadog-sampling-priority',
  'traceparent', 'tracestate', 'x-cloud-trace-context', 'grpc-trace-bin', 'sw8', 'user-agent', 'cookie', 'authorization', 'jwt',
];

/** One call productpage makes. */
export interface PlannedCall {
  readonly service: 'details' | 'reviews' | 'ratings';
  readonly url: string;
  readonly attempts: number;
  readonly purpose: string;
  /** The text the page shows when the call does not answer 200. */
  readonly failureText: string;
}

/** How productpage answers a path: a page built from calls (status 200), or the status of one call. */
export interface ProductpagePlan {
  readonly calls: PlannedCall[];
  /** `page`: 200 whatever the calls get; `call`: the status of the single call. */
  readonly status: 'page' | 'call';
}

const FAILURE: Record<PlannedCall['service'], string> = {
  details: 'Sorry, product details are currently unavailable for this book.',
  reviews: 'Sorry, product reviews are currently unavailable for this book.',
  ratings: 'Sorry, product ratings are currently unavailable for this book.',
};

function call(w: Workload, service: PlannedCall['service'], id: string, purpose: string): PlannedCall {
  const envName = `${service.toUpperCase()}_HOSTNAME`;
  const domain = envValue(w, 'SERVICES_DOMAIN');
  const host = `${envValue(w, envName) ?? service}${domain ? `.${domain}` : ''}`;
  return { service, url: `http://${host}:9080/${service}/${id}`, attempts: service === 'reviews' ? 2 : 1, purpose, failureText: FAILURE[service] };
}

/** The calls productpage makes for `method path` (query ignored, as Flask routes on the path), or undefined when it makes none. */
export function productpagePlan(w: Workload, method: string, pathWithQuery: string): ProductpagePlan | undefined {
  // Flask routes answer GET (and HEAD, which runs the same handler)
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const q = pathWithQuery.indexOf('?');
  const path = q < 0 ? pathWithQuery : pathWithQuery.slice(0, q);
  if (path === '/productpage') {
    return { status: 'page', calls: [call(w, 'details', '0', "the page's details block"), call(w, 'reviews', '0', "the page's reviews block")] };
  }
  const m = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(path);
  if (!m) return undefined;
  const service = (m[2] ?? 'details') as PlannedCall['service'];
  return { status: 'call', calls: [call(w, service, m[1], `the API answer (${path})`)] };
}

/** The headers of a productpage call: the forwarded subset of the incoming ones, plus the Host of the call. */
export function forwardedHeaders(incoming: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  // Flask's request.headers.get returns the first value of a name; requests sends the name as listed
  for (const name of PRODUCTPAGE_FORWARDED_HEADERS) {
    const hit = incoming.find(([n]) => n.toLowerCase() === name);
    if (hit) out.push([name, hit[1]]);
  }
  return out;
}
