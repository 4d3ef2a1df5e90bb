// The seed's curl table, reproduced from the synthesized dist/ alone, and the worked rows of SEMANTICS 4.6.
import { ADMIN3, GATEWAY_URL, REVIEWS_CRED, curl, distObjects, path_, pluginsAt, seedState, sim } from './helpers';

describe('seed 000 from dist/ (final state)', () => {
  // GIVEN the synthesized manifests, read recursively from dist/
  const s = sim(distObjects());

  test.each([
    ['gateway without credentials', GATEWAY_URL, {}, 401],
    ['gateway with the admin3 credential', GATEWAY_URL, { Authorization: ADMIN3 }, 200],
    ['waypoint without credentials', 'http://productpage:9080/productpage', {}, 401],
    ['waypoint with the admin3 credential', 'http://productpage:9080/productpage', { Authorization: ADMIN3 }, 200],
    ['productpage with the waypoint credential after the reviews plugin', 'http://productpage:9080/productpage', { Authorization: ADMIN3 }, 200],
    ['reviews with its own credential', 'http://reviews:9080/reviews/1', { Authorization: REVIEWS_CRED }, 200],
    ['reviews without credentials', 'http://reviews:9080/reviews/1', {}, 401],
  ])('%s: %s gets the seed\'s status', (_name, url, headers, status) => {
    expect(curl(s, url, headers).status).toBe(status);
  });

  test('productpage with the waypoint credential: 200, but the reviews call is refused and the page says so', () => {
    const r = curl(s, 'http://productpage:9080/productpage', { Authorization: ADMIN3 });
    expect(r.status).toBe(200);
    expect(r.subRequests.map((c) => `${c.result.request.url} ${c.result.status}`)).toEqual([
      'http://details:9080/details/0 200',
      'http://reviews:9080/reviews/0 401',
    ]);
    const reviews = r.subRequests[1];
    expect(reviews.attempts).toBe(2);
    expect(reviews.result.request.headers).toContainEqual(['authorization', ADMIN3]);
    expect(reviews.effect).toContain('Sorry, product reviews are currently unavailable for this book.');
    expect(reviews.result.reason).toMatch(/basic-auth-for-service at waypoint default\/waypoint/);
    expect(r.reason).toContain('Sorry, product reviews are currently unavailable for this book.');
  });
});

describe('SEMANTICS 4.6, the worked seed table', () => {
  test('row 1: step 1, gateway without a header: ztunnel then the gateway, whose plugin denies with realm istio', () => {
    const r = curl(sim(seedState(1)), GATEWAY_URL);
    expect(r.status).toBe(401);
    expect(path_(r)).toEqual(['client default/curl', 'resolve default/bookinfo-gateway-istio', 'ztunnel default/curl', 'ingress default/bookinfo-gateway']);
    expect(pluginsAt(r, 'ingress')).toEqual(['default/basic-auth-at-gateway denied']);
    expect(r.response).toEqual({ body: 'Request denied by Basic Auth check. No Basic Authentication information found.', headers: { 'WWW-Authenticate': 'Basic realm=istio' } });
  });

  test('row 2: step 1, gateway with the admin3 credential: route Exact /productpage to productpage', () => {
    const r = curl(sim(seedState(1)), GATEWAY_URL, { Authorization: ADMIN3 });
    expect(r.status).toBe(200);
    expect(path_(r).slice(3)).toEqual(['ingress default/bookinfo-gateway', 'route default/bookinfo', 'destination default/productpage-v1']);
    expect(r.hops.find((h) => h.kind === 'route')!.detail).toMatch(/rule 0 match 0 \(Exact "\/productpage"\)/);
  });

  test('row 3: step 2, waypoint enrolled without a plugin: 200 through the waypoint, nothing attached', () => {
    const r = curl(sim(seedState(2)), 'http://productpage:9080/productpage');
    expect(r.status).toBe(200);
    expect(path_(r)).toContain('waypoint default/waypoint');
    expect(pluginsAt(r, 'waypoint')).toEqual(['default/basic-auth-at-gateway not-attached']);
  });

  test('row 4: step 2 with the waypoint plugin, no header: the waypoint denies', () => {
    const r = curl(sim(seedState(2.5)), 'http://productpage:9080/productpage');
    expect(r.status).toBe(401);
    expect(r.reason).toMatch(/basic-auth-at-waypoint at waypoint default\/waypoint/);
  });

  test('row 5: same with admin3: 200, and the sub-calls pass the waypoint plugin (its prefix does not match them)', () => {
    const r = curl(sim(seedState(2.5)), 'http://productpage:9080/productpage', { Authorization: ADMIN3 });
    expect(r.status).toBe(200);
    expect(r.subRequests.map((c) => c.result.status)).toEqual([200, 200]);
    const rules = r.subRequests[1].result.hops.find((h) => h.kind === 'waypoint')!.plugins![0].rules!;
    expect(rules.map((x) => x.decision)).toEqual(['path-mismatch']);
  });

  test('row 6: step 3, productpage with admin3: 200, reviews call rejected by the reviews plugin (tried twice)', () => {
    const r = curl(sim(seedState(3)), 'http://productpage:9080/productpage', { Authorization: ADMIN3 });
    expect(r.status).toBe(200);
    const call = r.subRequests[1];
    expect(pluginsAt(call.result, 'waypoint')).toEqual([
      'default/basic-auth-at-waypoint passed', 'default/basic-auth-for-service denied', 'default/basic-auth-at-gateway not-attached',
    ]);
    expect(call.attempts).toBe(2);
  });

  test('row 7: reviews with its credential: the waypoint plugin runs first and skips, the reviews plugin accepts', () => {
    const r = curl(sim(seedState(3)), 'http://reviews:9080/reviews/1', { Authorization: REVIEWS_CRED });
    expect(r.status).toBe(200);
    const ran = r.hops.find((h) => h.kind === 'waypoint')!.plugins!.filter((p) => p.order !== undefined);
    expect(ran.map((p) => [p.order, p.plugin, p.outcome])).toEqual([
      [1, 'default/basic-auth-at-waypoint', 'passed'], [2, 'default/basic-auth-for-service', 'passed'],
    ]);
    expect(ran[1].orderKey).toContain('"basic-auth-for-service~istio-translated-wasmplugin"');
    expect(r.notes.join('\n')).toMatch(/one sync, in the same second/);
  });

  test('row 8: reviews without a header: the reviews plugin denies', () => {
    const r = curl(sim(seedState(3)), 'http://reviews:9080/reviews/1');
    expect(r.status).toBe(401);
    expect(r.reason).toMatch(/basic-auth-for-service/);
  });

  test('row 9: step 3, gateway with admin3: waypoint (gateway Service chain), gateway, productpage direct; reviews call refused', () => {
    const r = curl(sim(seedState(3)), GATEWAY_URL, { Authorization: ADMIN3 });
    expect(r.status).toBe(200);
    expect(path_(r)).toEqual(['client default/curl', 'resolve default/bookinfo-gateway-istio', 'ztunnel default/curl', 'waypoint default/waypoint',
      'ingress default/bookinfo-gateway', 'route default/bookinfo', 'destination default/productpage-v1']);
    expect(r.hops[3].detail).toMatch(/chain for Service default\/bookinfo-gateway-istio/);
    expect(r.notes.join('\n')).toMatch(/ingress gateway sends straight to its endpoints/);
    expect(r.subRequests[1].result.status).toBe(401);
  });

  test('row 10: /productpage/x without a header is 401 before routing; with the credential, 404', () => {
    const s = sim(seedState(1));
    expect(curl(s, `${GATEWAY_URL}/x`).status).toBe(401);
    const r = curl(s, `${GATEWAY_URL}/x`, { Authorization: ADMIN3 });
    expect(r.status).toBe(404);
    expect(r.reason).toMatch(/no rule of HTTPRoute default\/bookinfo matches GET \/productpage\/x/);
    // in the final state the waypoint answers first, with the same status
    expect(curl(sim(seedState(3)), `${GATEWAY_URL}/x`).status).toBe(401);
  });

  test('row 11: /reviews/1 through the gateway: no rule matches, no route: 404', () => {
    const r = curl(sim(seedState(3)), 'http://bookinfo-gateway-istio.default.svc.cluster.local/reviews/1');
    expect(r.status).toBe(404);
    expect(pluginsAt(r, 'ingress')[0]).toBe('default/basic-auth-at-gateway passed');
  });
});
