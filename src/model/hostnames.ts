/**
 * Hostname matching as istiod and its Envoys do it for Gateway API objects: Istio's `host.Name` overlap and
 * subset rules (`pkg/config/host/name.go` `Matches`, `SubsetOf`), and which virtual host a request's Host picks.
 */

/** Whether a hostname is wildcarded (`*` or `*.example.com`). */
export function isWildcard(h: string): boolean {
  return h.length > 0 && h[0] === '*';
}

/**
 * Whether two hostnames overlap (Istio's `host.Name.Matches`): equal when neither is a wildcard, else the
 * wildcard's suffix covers the other (`*.com` overlaps `*.apple.com`, a string match, not Gateway API's label match).
 */
export function hostsOverlap(a: string, b: string): boolean {
  const aw = isWildcard(a);
  const bw = isWildcard(b);
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** Whether `a` is covered by `b` (Istio's `host.Name.SubsetOf`, one direction of {@link hostsOverlap}). */
export function hostSubsetOf(a: string, b: string): boolean {
  const aw = isWildcard(a);
  const bw = isWildcard(b);
  if (aw && bw) return a.length >= b.length && a.slice(1).endsWith(b.slice(1));
  if (aw) return false;
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * The hostname two overlapping names share, the more specific of the two (what istiod's `Names.Intersection` keeps
 * when it builds a gateway's virtual hosts from a listener hostname and a route hostname); undefined when disjoint.
 */
export function hostIntersection(a: string, b: string): string | undefined {
  if (!hostsOverlap(a, b)) return undefined;
  return hostSubsetOf(a, b) ? a : b;
}

/** Whether a concrete request host falls under a virtual host domain (`*` any, `*.x.y` any name ending in `.x.y`). */
export function domainMatches(domain: string, host: string): boolean {
  if (domain === '*') return true;
  if (isWildcard(domain)) return host.length > domain.length - 1 && host.endsWith(domain.slice(1));
  return host === domain;
}

/**
 * How specific a domain is for Envoy's virtual host selection: an exact name first, then wildcards by length
 * (longest suffix first), then `*`. Higher wins.
 */
export function domainSpecificity(domain: string): number {
  if (domain === '*') return 0;
  return isWildcard(domain) ? 1000 + domain.length : 1000000 + domain.length;
}

/** The most specific of `domains` that `host` falls under, or undefined. */
export function pickDomain(domains: Iterable<string>, host: string): string | undefined {
  let best: string | undefined;
  for (const d of domains) {
    if (!domainMatches(d, host)) continue;
    if (best === undefined || domainSpecificity(d) > domainSpecificity(best)) best = d;
  }
  return best;
}
