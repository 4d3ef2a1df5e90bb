import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute as HttpRouteL1, HttpRouteProps as HttpRouteL1Props } from '../imports/gateway.networking.k8s.io';
import { crdObject } from '../private/crd-object';
import { MeshContext } from '../private/mesh-context';
import { namespaceOf, throwIfProblems } from '../private/names';
import { re2Problem } from '../model/route-rules';
import { HttpBackend } from './backend';
import { HttpMethod } from '../core/http-method';
import type { IngressGateway } from './ingress-gateway';
import { RouteParent, checkHostname } from './route-parent';
import { routeHeadProblems, routeSpec, ruleProblem } from './route-spec';
import { merged } from '../model/merged';

/** Path match types of an HTTPRoute. */
export enum HttpPathMatchType {
  /** The path equals the value. */
  EXACT = 'Exact',
  /** The path is the value or under it, by whole segments. */
  PATH_PREFIX = 'PathPrefix',
  /** The path fully matches a regular expression (Envoy's RE2). */
  REGULAR_EXPRESSION = 'RegularExpression',
}

/** How a header or query parameter value is compared. */
export enum HttpValueMatchType {
  /** Equal. */
  EXACT = 'Exact',
  /** Fully matches a regular expression (Envoy's RE2). */
  REGULAR_EXPRESSION = 'RegularExpression',
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

function fail(where: string, field: string, what: string, value: unknown, fix: string): never {
  throw new Error(`${where}: ${field}: ${what} (got ${JSON.stringify(value)}); ${fix}`);
}

/** Envoy matches with RE2, which has no lookaround and no backreferences: check the pattern with RE2 itself. */
function checkRe2(where: string, field: string, pattern: string): void {
  if (typeof pattern !== 'string' || pattern === '') fail(where, field, 'must be a non-empty regular expression', pattern, 'pass an RE2 pattern');
  const why = re2Problem(pattern);
  if (why !== undefined) fail(where, field, `is not valid RE2, Envoy's regex engine (${why})`, pattern, 'rewrite the pattern in RE2 syntax (no lookaround, no backreferences)');
}

/** A header match of an HTTPRoute (or GRPCRoute) rule. */
export class HttpHeaderMatch {
  /** The header (name case-insensitive) equals `value`. */
  public static exact(name: string, value: string): HttpHeaderMatch {
    return new HttpHeaderMatch(name, HttpValueMatchType.EXACT, value);
  }
  /** The header value fully matches `pattern` (RE2). */
  public static regularExpression(name: string, pattern: string): HttpHeaderMatch {
    return new HttpHeaderMatch(name, HttpValueMatchType.REGULAR_EXPRESSION, pattern);
  }
  private constructor(public readonly name: string, public readonly type: HttpValueMatchType, public readonly value: string) {
    const where = `HttpHeaderMatch ${JSON.stringify(name)}`;
    if (typeof name !== 'string' || !HEADER_NAME.test(name) || name.length > 256) fail(where, 'name', 'must be an HTTP header name (a token)', name, 'e.g. "x-canary"');
    if (typeof value !== 'string' || value.length > 4096) fail(where, 'value', 'must be a string of at most 4096 characters', value, 'shorten it');
    if (type === HttpValueMatchType.REGULAR_EXPRESSION) checkRe2(where, 'value', value);
  }
}

/** A query parameter match of an HTTPRoute rule. */
export class HttpQueryParamMatch {
  /** The first value of the parameter (name case-sensitive) equals `value`. */
  public static exact(name: string, value: string): HttpQueryParamMatch {
    return new HttpQueryParamMatch(name, HttpValueMatchType.EXACT, value);
  }
  /** The first value of the parameter fully matches `pattern` (RE2). */
  public static regularExpression(name: string, pattern: string): HttpQueryParamMatch {
    return new HttpQueryParamMatch(name, HttpValueMatchType.REGULAR_EXPRESSION, pattern);
  }
  private constructor(public readonly name: string, public readonly type: HttpValueMatchType, public readonly value: string) {
    const where = `HttpQueryParamMatch ${JSON.stringify(name)}`;
    if (typeof name !== 'string' || !HEADER_NAME.test(name) || name.length > 256) fail(where, 'name', 'must be a parameter name (a token)', name, 'e.g. "version"');
    if (typeof value !== 'string' || value.length > 1024) fail(where, 'value', 'must be a string of at most 1024 characters', value, 'shorten it');
    if (type === HttpValueMatchType.REGULAR_EXPRESSION) checkRe2(where, 'value', value);
  }
}

/** What a match requires besides the path. */
export interface HttpRouteMatchOptions {
  /** Header matches, all required. @default - none */
  readonly headers?: HttpHeaderMatch[];
  /** Query parameter matches, all required. @default - none */
  readonly queryParams?: HttpQueryParamMatch[];
  /** The request method. @default - any method */
  readonly method?: HttpMethod;
}

/** One `matches[]` entry of an HTTPRoute rule: a path, and optionally headers, query parameters and a method. */
export class HttpRouteMatch {
  /** The path equals `path`. */
  public static exact(path: string, options: HttpRouteMatchOptions = {}): HttpRouteMatch {
    return new HttpRouteMatch(HttpPathMatchType.EXACT, path, options);
  }
  /** The path is `path` or under it, by whole segments (`/shop` matches `/shop/cart`, not `/shopping`). */
  public static pathPrefix(path: string, options: HttpRouteMatchOptions = {}): HttpRouteMatch {
    return new HttpRouteMatch(HttpPathMatchType.PATH_PREFIX, path, options);
  }
  /**
   * The path fully matches `pattern` (Envoy's RE2). istiod ranks it after every Exact and PathPrefix match, before
   * a bare `/` prefix.
   */
  public static regularExpression(pattern: string, options: HttpRouteMatchOptions = {}): HttpRouteMatch {
    return new HttpRouteMatch(HttpPathMatchType.REGULAR_EXPRESSION, pattern, options);
  }

  /** Header matches. */
  public readonly headers: HttpHeaderMatch[];
  /** Query parameter matches. */
  public readonly queryParams: HttpQueryParamMatch[];
  /** The method, when set. */
  public readonly method?: HttpMethod;

  private constructor(public readonly type: HttpPathMatchType, public readonly path: string, options: HttpRouteMatchOptions) {
    const where = `HttpRouteMatch.${type === HttpPathMatchType.EXACT ? 'exact' : type === HttpPathMatchType.PATH_PREFIX ? 'pathPrefix' : 'regularExpression'}`;
    if (type === HttpPathMatchType.REGULAR_EXPRESSION) {
      checkRe2(where, 'pattern', path);
    } else {
      // the CRD's CEL rules on path values
      if (typeof path !== 'string' || !path.startsWith('/')) fail(where, 'path', 'must start with "/"', path, 'write an absolute path such as "/cart"');
      for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) if (path.includes(bad)) fail(where, 'path', `must not contain ${JSON.stringify(bad)}`, path, 'write the normalized path');
      if (path.endsWith('/..') || path.endsWith('/.')) fail(where, 'path', 'must not end with "/." or "/.."', path, 'write the normalized path');
      if (path.length > 1024) fail(where, 'path', 'must be at most 1024 characters', path, 'shorten it');
    }
    if (options.method !== undefined && !options.method.isStandard) {
      fail(where, 'method', 'must be one of the methods the Gateway API enumerates', options.method.value, 'use HttpMethod.GET, HttpMethod.POST, ...');
    }
    const dup = (names: string[], fold: boolean) => names.find((n, i) => names.findIndex((m) => (fold ? m.toLowerCase() === n.toLowerCase() : m === n)) !== i);
    const h = dup((options.headers ?? []).map((x) => x.name), true);
    if (h !== undefined) fail(where, 'headers', 'names the same header twice (the API server refuses it)', h, 'match each header once');
    const q = dup((options.queryParams ?? []).map((x) => x.name), false);
    if (q !== undefined) fail(where, 'queryParams', 'names the same parameter twice (the API server refuses it)', q, 'match each parameter once');
    if ((options.headers ?? []).length > 16 || (options.queryParams ?? []).length > 16) fail(where, 'headers', 'allows at most 16 header and 16 query matches', (options.headers ?? []).length, 'match fewer');
    this.headers = [...(options.headers ?? [])];
    this.queryParams = [...(options.queryParams ?? [])];
    this.method = options.method;
  }

  /** @internal */
  public _toMatch(): any {
    return {
      path: { type: this.type, value: this.path },
      ...(this.headers.length ? { headers: this.headers.map((x) => ({ name: x.name, type: x.type, value: x.value })) } : {}),
      ...(this.queryParams.length ? { queryParams: this.queryParams.map((x) => ({ name: x.name, type: x.type, value: x.value })) } : {}),
      ...(this.method ? { method: this.method.value } : {}),
    };
  }
}

/** A header to set or add. */
export interface HttpHeader {
  /** Header name (case-insensitive). */
  readonly name: string;
  /** Header value; control characters other than tab make istiod refuse the route. */
  readonly value: string;
}

/** Header changes of a RequestHeaderModifier or ResponseHeaderModifier filter. */
export interface HttpHeaderModifierOptions {
  /** Headers to set, replacing any value. @default - none */
  readonly set?: HttpHeader[];
  /** Headers to add beside existing values. @default - none */
  readonly add?: HttpHeader[];
  /** Header names to remove. @default - none */
  readonly remove?: string[];
}

/** How a redirect or rewrite changes the path. */
export class HttpPathModifier {
  /** Replace the whole path. */
  public static replaceFullPath(path: string): HttpPathModifier {
    return new HttpPathModifier('ReplaceFullPath', path);
  }
  /**
   * Replace the matched prefix (the rule must have exactly one PathPrefix match). `/` removes the prefix:
   * `/api/items` under prefix `/api` becomes `/items`.
   */
  public static replacePrefixMatch(prefix: string): HttpPathModifier {
    return new HttpPathModifier('ReplacePrefixMatch', prefix);
  }
  private constructor(public readonly type: string, public readonly value: string) {
    if (typeof value !== 'string' || !value.startsWith('/') || value.length > 1024) {
      fail(`HttpPathModifier.${type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch'}`, 'path', 'must be an absolute path of at most 1024 characters', value, 'write e.g. "/" or "/v2"');
    }
  }
  /** @internal */
  public _toModifier(): any {
    return this.type === 'ReplaceFullPath' ? { type: this.type, replaceFullPath: this.value } : { type: this.type, replacePrefixMatch: this.value };
  }
}

/** Scheme of a redirect. */
export enum RedirectScheme {
  HTTP = 'http',
  HTTPS = 'https',
}

/** A RequestRedirect filter: the gateway answers with a redirect and sends nothing to a backend. */
export interface HttpRequestRedirectOptions {
  /** @default - the request's scheme */
  readonly scheme?: RedirectScheme;
  /** @default - the request's host */
  readonly hostname?: string;
  /** @default - the scheme's default port when the scheme changes, else the listener's port (80 and 443 are not written) */
  readonly port?: number;
  /** @default - the request's path */
  readonly path?: HttpPathModifier;
  /**
   * 301, 302, 303, 307 or 308.
   *
   * @default 302 (the Gateway API default)
   */
  readonly statusCode?: number;
}

/** A URLRewrite filter: the backend receives another host or path. */
export interface HttpUrlRewriteOptions {
  /** @default - the request's host */
  readonly hostname?: string;
  /** @default - the request's path */
  readonly path?: HttpPathModifier;
}

/** A RequestMirror filter's share. */
export interface HttpRequestMirrorOptions {
  /** Percent of requests mirrored, 0 to 100. @default - every request */
  readonly percent?: number;
}

/** A CORS filter: the gateway answers preflights and adds CORS response headers. */
export interface HttpCorsOptions {
  /** Origins, e.g. `https://shop.example.com`, or `*`. @default - none */
  readonly allowOrigins?: string[];
  /** Methods, or `HttpMethod.of('*')`. @default - none */
  readonly allowMethods?: HttpMethod[];
  /** Request headers. @default - none */
  readonly allowHeaders?: string[];
  /** Response headers the browser may read. @default - none */
  readonly exposeHeaders?: string[];
  /** @default false */
  readonly allowCredentials?: boolean;
  /** How long browsers cache a preflight. @default - the Gateway API default, 5 seconds */
  readonly maxAge?: Duration;
}

/** Filter types of the Gateway API standard channel that istiod supports (ExtensionRef is not). */
export enum HttpRouteFilterType {
  REQUEST_HEADER_MODIFIER = 'RequestHeaderModifier',
  RESPONSE_HEADER_MODIFIER = 'ResponseHeaderModifier',
  REQUEST_REDIRECT = 'RequestRedirect',
  URL_REWRITE = 'URLRewrite',
  REQUEST_MIRROR = 'RequestMirror',
  CORS = 'CORS',
}

function checkHeaders(where: string, o: HttpHeaderModifierOptions): void {
  for (const [field, list] of [['set', o.set ?? []], ['add', o.add ?? []]] as const) {
    const names = new Set<string>();
    list.forEach((h, i) => {
      if (typeof h?.name !== 'string' || !HEADER_NAME.test(h.name)) fail(where, `${field}[${i}].name`, 'must be an HTTP header name (a token)', h?.name, 'e.g. "x-request-source"');
      if (names.has(h.name.toLowerCase())) fail(where, `${field}[${i}].name`, 'names a header twice (the API server refuses it)', h.name, 'set each header once');
      names.add(h.name.toLowerCase());
      for (let k = 0; k < String(h.value).length; k++) {
        const c = String(h.value).charCodeAt(k);
        if (c !== 9 && (c < 0x20 || c === 0x7f)) fail(where, `${field}[${i}].value`, 'contains a control character, so istiod would refuse the whole route', h.value, 'remove it');
      }
    });
  }
  (o.remove ?? []).forEach((n, i) => { if (typeof n !== 'string' || !HEADER_NAME.test(n)) fail(where, `remove[${i}]`, 'must be an HTTP header name', n, 'e.g. "x-debug"'); });
}

function gatewayDuration(d: Duration, where: string, field: string): string {
  const ms = d.toMilliseconds();
  if (!Number.isInteger(ms) || ms < 0) fail(where, field, 'must be a whole number of milliseconds, 0 or more', ms, 'use Duration.millis(), seconds() or minutes()');
  if (ms === 0) return '0s';
  const parts: Array<[number, string]> = [[Math.floor(ms / 3600000), 'h'], [Math.floor((ms % 3600000) / 60000), 'm'], [Math.floor((ms % 60000) / 1000), 's'], [ms % 1000, 'ms']];
  const text = parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('');
  if (parts[0][0] > 99999) fail(where, field, 'is longer than the Gateway API can write (99999h)', ms, 'use a shorter duration');
  return text;
}

/** A filter of an HTTPRoute rule, of the Gateway API standard channel. */
export class HttpRouteFilter {
  /** Sets, adds or removes request headers before the backend. */
  public static requestHeaderModifier(options: HttpHeaderModifierOptions): HttpRouteFilter {
    checkHeaders('HttpRouteFilter.requestHeaderModifier', options);
    return new HttpRouteFilter(HttpRouteFilterType.REQUEST_HEADER_MODIFIER, { requestHeaderModifier: headerModifier(options) });
  }
  /** Sets, adds or removes response headers. */
  public static responseHeaderModifier(options: HttpHeaderModifierOptions): HttpRouteFilter {
    checkHeaders('HttpRouteFilter.responseHeaderModifier', options);
    return new HttpRouteFilter(HttpRouteFilterType.RESPONSE_HEADER_MODIFIER, { responseHeaderModifier: headerModifier(options) });
  }
  /** Answers with a redirect (the rule then takes no backends). */
  public static requestRedirect(options: HttpRequestRedirectOptions): HttpRouteFilter {
    const where = 'HttpRouteFilter.requestRedirect';
    if (options.statusCode !== undefined && ![301, 302, 303, 307, 308].includes(options.statusCode)) fail(where, 'statusCode', 'must be 301, 302, 303, 307 or 308', options.statusCode, 'use 301 (moved permanently) or 302 (found)');
    if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) fail(where, 'port', 'must be a port from 1 to 65535', options.port, 'e.g. 443');
    if (options.hostname !== undefined && checkHostname(options.hostname) !== undefined) fail(where, 'hostname', 'must be a lowercase DNS name', options.hostname, 'e.g. "shop.example.com"');
    return new HttpRouteFilter(HttpRouteFilterType.REQUEST_REDIRECT, { requestRedirect: {
      ...(options.scheme ? { scheme: options.scheme } : {}),
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.path ? { path: options.path._toModifier() } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.statusCode !== undefined ? { statusCode: options.statusCode } : {}),
    } }, options.path);
  }
  /** Rewrites the host or path the backend receives. */
  public static urlRewrite(options: HttpUrlRewriteOptions): HttpRouteFilter {
    if (options.hostname !== undefined && checkHostname(options.hostname) !== undefined) fail('HttpRouteFilter.urlRewrite', 'hostname', 'must be a lowercase DNS name', options.hostname, 'e.g. "catalog.internal"');
    if (options.hostname === undefined && options.path === undefined) fail('HttpRouteFilter.urlRewrite', 'options', 'rewrites nothing', options, 'pass hostname or path');
    return new HttpRouteFilter(HttpRouteFilterType.URL_REWRITE, { urlRewrite: {
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.path ? { path: options.path._toModifier() } : {}),
    } }, options.path);
  }
  /** Sends a copy of requests to another Service; its answers are discarded. */
  public static requestMirror(backend: HttpBackend, options: HttpRequestMirrorOptions = {}): HttpRouteFilter {
    if (options.percent !== undefined && (!Number.isInteger(options.percent) || options.percent < 0 || options.percent > 100)) fail('HttpRouteFilter.requestMirror', 'percent', 'must be an integer from 0 to 100', options.percent, 'e.g. 10');
    return new HttpRouteFilter(HttpRouteFilterType.REQUEST_MIRROR, { mirrorBackend: backend, percent: options.percent });
  }
  /** Cross-origin resource sharing. */
  public static cors(options: HttpCorsOptions): HttpRouteFilter {
    const where = 'HttpRouteFilter.cors';
    const origins = options.allowOrigins ?? [];
    const methods = (options.allowMethods ?? []).map((m) => m.value);
    if (origins.includes('*') && origins.length > 1) fail(where, 'allowOrigins', 'cannot list "*" beside other origins', origins, 'use "*" alone or list the origins');
    if (methods.includes('*') && methods.length > 1) fail(where, 'allowMethods', 'cannot list "*" beside other methods', methods, 'use "*" alone or list the methods');
    for (const m of options.allowMethods ?? []) if (!m.isStandard && m.value !== '*') fail(where, 'allowMethods', 'must be Gateway API methods or "*"', m.value, 'use HttpMethod.GET, ...');
    return new HttpRouteFilter(HttpRouteFilterType.CORS, { cors: {
      ...(origins.length ? { allowOrigins: [...origins] } : {}),
      ...(methods.length ? { allowMethods: methods } : {}),
      ...(options.allowHeaders?.length ? { allowHeaders: [...options.allowHeaders] } : {}),
      ...(options.exposeHeaders?.length ? { exposeHeaders: [...options.exposeHeaders] } : {}),
      ...(options.allowCredentials !== undefined ? { allowCredentials: options.allowCredentials } : {}),
      ...(options.maxAge !== undefined ? { maxAge: Math.round(options.maxAge.toSeconds()) } : {}),
    } });
  }

  private constructor(public readonly type: HttpRouteFilterType, private readonly body: any, private readonly pathModifier?: HttpPathModifier) {}

  /** @internal whether the filter replaces the matched prefix (then the rule needs exactly one PathPrefix match) */
  public get _replacesPrefix(): boolean {
    return this.pathModifier?.type === 'ReplacePrefixMatch';
  }

  /** @internal */
  public _toFilter(routeNamespace: string): any {
    if (this.type === HttpRouteFilterType.REQUEST_MIRROR) {
      return { type: this.type, requestMirror: { backendRef: (this.body.mirrorBackend as HttpBackend)._toBackendRef(routeNamespace, false),
        ...(this.body.percent !== undefined ? { percent: this.body.percent } : {}) } };
    }
    return { type: this.type, ...JSON.parse(JSON.stringify(this.body)) };
  }
}

function headerModifier(o: HttpHeaderModifierOptions): any {
  return {
    ...(o.set?.length ? { set: o.set.map((h) => ({ name: h.name, value: h.value })) } : {}),
    ...(o.add?.length ? { add: o.add.map((h) => ({ name: h.name, value: h.value })) } : {}),
    ...(o.remove?.length ? { remove: [...o.remove] } : {}),
  };
}

/** Timeouts of an HTTPRoute rule. */
export interface HttpRouteTimeouts {
  /** From the request's arrival to the response, retries included. @default - Istio's default (none) */
  readonly request?: Duration;
  /** One attempt at the backend; at most `request`. @default - Istio's default (none) */
  readonly backendRequest?: Duration;
}

/** One rule of an HTTPRoute. */
export interface HttpRouteRule {
  /** Matches; any one suffices. @default - every request (PathPrefix "/") */
  readonly matches?: HttpRouteMatch[];
  /**
   * Backends, weighted. A rule without backends and without a redirect answers 404 (500 when every weight is 0).
   *
   * @default - none
   */
  readonly backends?: HttpBackend[];
  /** Filters, applied in order. @default - none */
  readonly filters?: HttpRouteFilter[];
  /** Timeouts. @default - none */
  readonly timeouts?: HttpRouteTimeouts;
  /** Rule name (`rules[].name`), e.g. for policies. @default - none */
  readonly name?: string;
}

/** Options of {@link IngressGateway.addHttpRoute}. */
export interface HttpRouteOptions {
  /** `metadata.name`. */
  readonly name: string;
  /** Hostnames, matched against the Host header (a listener hostname narrows them). @default - any host */
  readonly hostnames?: string[];
  /** Rules; more can be added with `addRule()`. @default - none */
  readonly rules?: HttpRouteRule[];
  /**
   * The listener of the gateway (`sectionName`).
   *
   * @default - every listener of the gateway that admits the route
   */
  readonly sectionName?: string;
  /** The listener port. @default - any */
  readonly port?: number;
}

/** Props of {@link HttpRoute}. */
export interface HttpRouteProps extends HttpRouteOptions {
  /**
   * The parent gateway (`sectionName` and `port` narrow it to listeners).
   *
   * @default - none: `parents` must name one
   */
  readonly gateway?: IngressGateway;
  /** More parents (or the only ones): typed Gateways or listeners, or Gateways by name. @default - none */
  readonly parents?: RouteParent[];
  /** @default - the gateway's namespace when the route is added to it, else the enclosing AmbientNamespace or chart namespace */
  readonly namespace?: string;
}

/** The CEL rule of the HTTPRoute CRD: at most 128 matches across the rules of a route. */
const MAX_MATCHES = 128;

/**
 * A Gateway API `HTTPRoute` attached to ingress gateways: matches on path, headers, query parameters and method,
 * filters, weighted backends and timeouts. Whether it attaches, and whether its backends exist, is checked at synth.
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class HttpRoute extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** `metadata.namespace`. */
  public readonly namespace: string;
  /** The HTTPRoute object. */
  public readonly apiObject: ApiObject;
  private readonly rules: Array<{ readonly rule: HttpRouteRule; readonly timeouts?: any }> = [];

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = namespaceOf(this, props.namespace);
    const hostnames = props.hostnames ?? [];
    const parents = [...(props.gateway ? [RouteParent.fromGateway(props.gateway, { sectionName: props.sectionName, port: props.port })] : []), ...(props.parents ?? [])];
    throwIfProblems(this, 'HTTPRoute', this.namespace, this.name,
      routeHeadProblems(this.name, hostnames, parents, 'write e.g. "shop.example.com" or "*.example.com"', { parentRefs: 32, hostnames: 16 }));
    const ns = this.namespace;
    this.apiObject = crdObject<HttpRouteL1Props>(this, 'Resource', HttpRouteL1.GVK, {
      metadata: { name: this.name, namespace: ns },
      spec: routeSpec(parents, hostnames, ns, () => this.rules.map((r) => renderRule(r.rule, r.timeouts, ns))),
    });
    MeshContext.of(this).own(this, this.apiObject);
    for (const r of props.rules ?? []) this.addRule(r);
  }

  /** Adds a rule. */
  public addRule(rule: HttpRouteRule): void {
    const i = this.rules.length;
    const bad = ruleProblem(this, 'HTTPRoute', i);
    const matches = rule.matches ?? [];
    const filters = rule.filters ?? [];
    const backends = rule.backends ?? [];
    if (i >= 16) bad('', 'is one rule too many: an HTTPRoute has at most 16 rules', i + 1, 'split the route');
    if (matches.length > 64) bad('matches', 'has more than 64 matches', matches.length, 'split the rule');
    const total = this.rules.reduce((n, r) => n + Math.max(1, r.rule.matches?.length ?? 0), 0) + Math.max(1, matches.length);
    if (total >= MAX_MATCHES) bad('matches', `brings the route to ${total} matches; the CRD allows fewer than ${MAX_MATCHES} across its rules`, total, 'split the route');
    const types = filters.map((f) => f.type);
    for (const t of new Set(types)) {
      if (t !== HttpRouteFilterType.REQUEST_MIRROR && types.filter((x) => x === t).length > 1) bad('filters', `repeats the ${t} filter, which the CRD refuses`, t, `merge them into one ${t}`);
    }
    if (filters.length > 16) bad('filters', 'has more than 16 filters', filters.length, 'merge them');
    const redirect = types.includes(HttpRouteFilterType.REQUEST_REDIRECT);
    if (redirect && types.includes(HttpRouteFilterType.URL_REWRITE)) bad('filters', 'has both RequestRedirect and URLRewrite, which the CRD refuses', types, 'keep one of them');
    if (redirect && backends.length > 0) bad('backendRefs', 'is set beside a RequestRedirect, which the CRD refuses (the redirect answers; nothing is forwarded)', backends.length, 'drop the backends, or the redirect');
    if (filters.some((f) => f._replacesPrefix) && (matches.length !== 1 || matches[0].type !== HttpPathMatchType.PATH_PREFIX)) {
      bad('matches', 'must be exactly one PathPrefix match when a filter uses replacePrefixMatch (the CRD refuses the rule otherwise)', matches.map((m) => `${m.type} ${m.path}`), 'give the rule one HttpRouteMatch.pathPrefix()');
    }
    if (backends.length > 16) bad('backendRefs', 'has more than 16 backends', backends.length, 'split the rule');
    const t = rule.timeouts;
    if (t?.request && t?.backendRequest && t.backendRequest.toMilliseconds() > t.request.toMilliseconds() && t.request.toMilliseconds() !== 0) {
      bad('timeouts.backendRequest', 'is longer than timeouts.request (the CRD refuses it)', t.backendRequest.toHumanString(), 'make backendRequest at most request');
    }
    if (rule.name !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(rule.name)) bad('name', 'must be a lowercase RFC 1123 subdomain', rule.name, 'e.g. "canary"');
    if (rule.name !== undefined && this.rules.some((r) => r.rule.name === rule.name)) bad('name', 'is the name of another rule of the route', rule.name, 'give each rule its own name');
    const where = `HTTPRoute ${this.namespace}/${this.name} (${this.node.path})`;
    const timeouts = t && (t.request || t.backendRequest) ? {
      ...(t.request ? { request: gatewayDuration(t.request, where, `spec.rules[${i}].timeouts.request`) } : {}),
      ...(t.backendRequest ? { backendRequest: gatewayDuration(t.backendRequest, where, `spec.rules[${i}].timeouts.backendRequest`) } : {}),
    } : undefined;
    this.rules.push({ rule: merged(rule, { matches: [...matches], filters: [...filters], backends: [...backends] }), timeouts });
    MeshContext.of(this).invalidate();
  }
}

function renderRule(rule: HttpRouteRule, timeouts: any, ns: string): any {
  return {
    ...(rule.name !== undefined ? { name: rule.name } : {}),
    ...(rule.matches!.length ? { matches: rule.matches!.map((m) => m._toMatch()) } : {}),
    ...(rule.filters!.length ? { filters: rule.filters!.map((f) => f._toFilter(ns)) } : {}),
    ...(rule.backends!.length ? { backendRefs: rule.backends!.map((b) => b._toBackendRef(ns)) } : {}),
    ...(timeouts ? { timeouts } : {}),
  };
}
