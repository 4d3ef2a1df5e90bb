/**
 * An HTTP request method, as a value: the methods the Gateway API's HTTPRoute `method` match enumerates, plus
 * `HttpMethod.of()` for any other token (the basic_auth module compares `:method` as exact text).
 *
 * Shared by the basic-auth rules and the route matches, so both speak the same method names.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpmethod
 */
export class HttpMethod {
  public static readonly GET = new HttpMethod('GET');
  public static readonly HEAD = new HttpMethod('HEAD');
  public static readonly POST = new HttpMethod('POST');
  public static readonly PUT = new HttpMethod('PUT');
  public static readonly DELETE = new HttpMethod('DELETE');
  public static readonly CONNECT = new HttpMethod('CONNECT');
  public static readonly OPTIONS = new HttpMethod('OPTIONS');
  public static readonly TRACE = new HttpMethod('TRACE');
  public static readonly PATCH = new HttpMethod('PATCH');

  /**
   * Any method token, as written (methods are case-sensitive: `get` is not `GET`).
   *
   * @example HttpMethod.of('PURGE')
   */
  public static of(value: string): HttpMethod {
    if (typeof value !== 'string') {
      throw new Error(`HttpMethod.of: value: must be a string (got ${typeof value === 'number' ? value : typeof value}); pass a method such as "GET", or one of HttpMethod.GET, HttpMethod.POST, ...`);
    }
    const known = HttpMethod.STANDARD.find((m) => m.value === value);
    if (known) return known;
    // RFC 9110 `token`: what a request line can carry as a method
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
      throw new Error(`HttpMethod.of: value: is not an HTTP method token (got ${JSON.stringify(value)}); pass a method such as "GET", or one of HttpMethod.GET, HttpMethod.POST, ...`);
    }
    return new HttpMethod(value);
  }

  /** The methods the Gateway API enumerates, in its order (a frozen array). */
  // a static readonly field, not a getter: jsii accepts upper-case names only on constants
  public static readonly STANDARD: HttpMethod[] = Object.freeze([HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
    HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.CONNECT, HttpMethod.OPTIONS, HttpMethod.TRACE,
    HttpMethod.PATCH]) as HttpMethod[];

  /** The method as sent on the wire, e.g. `GET`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  /** Whether the Gateway API's HTTPRoute `method` match accepts this method (its enum is the standard set). */
  public get isStandard(): boolean {
    return HttpMethod.STANDARD.some((m) => m.value === this.value);
  }

  public toString(): string {
    return this.value;
  }
}
