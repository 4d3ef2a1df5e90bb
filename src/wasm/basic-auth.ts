import { Construct } from 'constructs';
import { HttpMethod } from '../core/http-method';
import { maskCredential, quote } from '../rules/display';
import { FieldProblem, FixWording, Severity, fixFor, showValue } from '../rules/finding';
import { checkBasicAuthRule, checkCredential } from '../rules/basic-auth';
import { didYouMean } from '../model/suggest';
import { PluginPhase, WasmPlugin, WasmPluginOptions } from './wasm-plugin';
import { WasmSource } from './wasm-source';
import { merged } from '../model/merged';
import { checkList, checkString, constructWhere, propError, requiredProps } from '../private/props';

/** How a basic_auth rule matches the request path (`prefix`, `exact` or `suffix`). */
export enum PathMatchType {
  /** The path starts with the value (query string included in the path). */
  PREFIX = 'prefix',
  /** The path equals the value; `/a?x=1` does not equal `/a`. */
  EXACT = 'exact',
  /** The path ends with the value. */
  SUFFIX = 'suffix',
}

/** The one path matcher of a basic_auth rule. */
export class PathMatch {
  /** Paths starting with `path`. */
  public static prefix(path: string): PathMatch {
    checkString('PathMatch.prefix', 'path', path, 'pass the path as a string, e.g. "/productpage"');
    return new PathMatch(PathMatchType.PREFIX, path);
  }
  /** Exactly `path` (a query string makes it a different path). */
  public static exact(path: string): PathMatch {
    checkString('PathMatch.exact', 'path', path, 'pass the path as a string, e.g. "/productpage"');
    return new PathMatch(PathMatchType.EXACT, path);
  }
  /** Paths ending with `path`. */
  public static suffix(path: string): PathMatch {
    checkString('PathMatch.suffix', 'path', path, 'pass the path as a string, e.g. "/productpage"');
    return new PathMatch(PathMatchType.SUFFIX, path);
  }

  private constructor(public readonly type: PathMatchType, public readonly path: string) {}
}

function throwProblem(where: string, problems: FieldProblem[]): void {
  const p = problems[0];
  if (p) throw new Error(`${p.code} ${where}: ${p.field}: ${p.message} (got ${showValue(p.value)}); ${fixFor(p, FixWording.CONSTRUCT)}`);
}

/**
 * One credential of a basic_auth rule, as the module reads it: `user:password` (the module encodes it) or an
 * already base64-encoded token. The header the client sends is `Authorization: Basic <base64>`.
 */
export class BasicAuthCredential {
  /**
   * A user and password, written `user:password` as the Istio docs write it.
   *
   * @example BasicAuthCredential.plain('ok', 'test')
   */
  public static plain(user: string, password: string): BasicAuthCredential {
    checkString('BasicAuthCredential.plain', 'user', user, 'pass the user name as a string, e.g. plain("ok", "test")');
    // the password is never shown, whatever its type
    if (typeof password !== 'string') {
      throw new Error(`BasicAuthCredential.plain: password: must be a string (got ${quote(maskCredential(password))}); pass the password as a string, e.g. plain("ok", "test")`);
    }
    if (user === '' || user.includes(':')) {
      // a ":" in the user is most often "user:password" passed whole: what follows it is not shown
      throw new Error(`BA006 BasicAuthCredential.plain: user: must be non-empty and contain no ":" (got ${quote(maskCredential(user))}); pick a user name without ":" (RFC 7617)`);
    }
    return new BasicAuthCredential(`${user}:${password}`);
  }

  /**
   * A base64 token of `user:password`, as sent after `Basic ` (standard alphabet, padded).
   *
   * @example BasicAuthCredential.encoded('YWRtaW4zOmFkbWluMw==')
   */
  public static encoded(token: string): BasicAuthCredential {
    if (typeof token !== 'string') {
      throw new Error(`BasicAuthCredential.encoded: token: must be a string (got ${quote(maskCredential(token))}); pass the base64 token as a string, e.g. encoded("YWRtaW4zOmFkbWluMw==")`);
    }
    if (token.includes(':')) {
      throw new Error(`BA006 BasicAuthCredential.encoded: token: contains ":", so the module would read it as user:password (got ${quote(maskCredential(token))}); use BasicAuthCredential.plain() for a user and password`);
    }
    throwProblem('BasicAuthCredential.encoded', checkCredential(token, 'token'));
    return new BasicAuthCredential(token);
  }

  /**
   * A credential read from an environment variable when the app is synthesized: `user:password` or a base64
   * token. It is still written into the manifests, so render into a private repository; it keeps the
   * credential out of the source repository of the app.
   *
   * @example BasicAuthCredential.fromEnv('BOOKINFO_BASIC_AUTH')
   */
  public static fromEnv(variable: string): BasicAuthCredential {
    checkString('BasicAuthCredential.fromEnv', 'variable', variable, 'pass the variable\'s name as a string, e.g. fromEnv("BOOKINFO_BASIC_AUTH")');
    const value = process.env[variable];
    if (value === undefined || value === '') {
      throw new Error(`BasicAuthCredential.fromEnv: variable: environment variable ${JSON.stringify(variable)} is not set (got ${value === undefined ? 'nothing' : '""'}); ${didYouMean(variable, Object.keys(process.env))}export ${variable}=user:password (or a base64 token) before synthesizing, or use BasicAuthCredential.vault() to keep the credential out of the manifests`);
    }
    // never echo the secret: say what is wrong with it, not what it is
    if (!value.includes(':') && checkCredential(value, 'value').length > 0) {
      throw new Error(`BA006 BasicAuthCredential.fromEnv: ${variable}: is neither "user:password" nor base64 the module decodes (got a value of ${value.length} characters); set it to user:password or its standard base64 encoding with padding`);
    }
    if (value.startsWith(':')) {
      throw new Error(`BA006 BasicAuthCredential.fromEnv: ${variable}: the user name before ":" is empty (got a value of ${value.length} characters); set it to user:password`);
    }
    return new BasicAuthCredential(value);
  }

  /**
   * An argocd-vault-plugin placeholder `<path:PATH#KEY>`: the manifests in Git hold only the reference, and
   * the vault plugin substitutes the secret when Argo CD renders the application. A `GitOpsApp` then makes
   * the Application use the plugin (`ArgoCdProps.vaultPluginName`). The secret's value must be
   * `user:password` or a base64 token.
   *
   * @param path the secret's path in the vault, e.g. `secret/data/bookinfo/basic-auth`
   * @param key the key inside the secret, e.g. `gateway`
   * @example BasicAuthCredential.vault('secret/data/bookinfo/basic-auth', 'gateway')
   */
  public static vault(path: string, key: string): BasicAuthCredential {
    for (const [field, value] of [['path', path], ['key', key]]) {
      checkString('BasicAuthCredential.vault', field, value, 'pass the vault path and the key as strings, e.g. vault(\'secret/data/bookinfo/basic-auth\', \'gateway\')');
      if (value === '' || /[<>#\s]/.test(value)) {
        throw new Error(`BasicAuthCredential.vault: ${field}: must be non-empty without "<", ">", "#" or spaces (got ${JSON.stringify(value)}); pass the vault path and the key separately, e.g. vault('secret/data/bookinfo/basic-auth', 'gateway')`);
      }
    }
    return new BasicAuthCredential(`<path:${path}#${key}>`);
  }

  /** The entry rendered into `credentials`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }
}

/** Props of {@link BasicAuthRule}. */
export interface BasicAuthRuleProps {
  /** The path matcher. */
  readonly match: PathMatch;
  /**
   * Request methods to guard, at least one; requests with other methods pass unchecked. The module compares the
   * method text exactly: `HttpMethod.GET`, ..., or `HttpMethod.of('PURGE')` for any other method token.
   */
  readonly methods: HttpMethod[];
  /** Accepted credentials; at least one. */
  readonly credentials: BasicAuthCredential[];
  /**
   * Host patterns (`*.example.com`, `api.*`, `exact.host`).
   *
   * @default - every host
   */
  readonly hosts?: string[];
}

/**
 * A `basic_auth_rules` entry of the basic_auth module 1.12.0. Requests whose method and path match must carry
 * one of the credentials, else they get 401. A rule the module would reject (no methods, no credentials, an
 * empty path) throws at once, in the constructor.
 *
 * @see https://github.com/istio-ecosystem/wasm-extensions/tree/master/extensions/basic_auth
 */
export class BasicAuthRule {
  /** The rule's path matcher. */
  public readonly match: PathMatch;
  private readonly props: BasicAuthRuleProps;

  constructor(props: BasicAuthRuleProps) {
    checkRuleProps(props);
    this.props = merged(props, { methods: [...(props.methods ?? [])], credentials: [...(props.credentials ?? [])], hosts: props.hosts ? [...props.hosts] : undefined });
    this.match = props.match;
    // the same checks the plugin runs, on the rule alone (the plugin runs them again with the rule's field path)
    throwProblem('BasicAuthRule', checkBasicAuthRule(this.toJson(), 'rule')
      .filter((p) => p.severity === Severity.ERROR).map((p) => ({ ...p, field: p.field.replace(/^rule\./, '') })));
  }

  /** Methods guarded (a copy). */
  public get methods(): HttpMethod[] {
    return [...this.props.methods];
  }

  /** The rule as the module's JSON configuration. */
  public toJson(): { [key: string]: any } {
    return {
      [this.props.match.type]: this.props.match.path,
      request_methods: this.props.methods.map((m) => (m instanceof HttpMethod ? m.value : m)),
      credentials: this.props.credentials.map((c) => c.value),
      ...(this.props.hosts ? { hosts: [...this.props.hosts] } : {}),
    };
  }
}

/** Props of {@link BasicAuthPlugin}. */
export interface BasicAuthPluginProps extends WasmPluginOptions {
  /**
   * The module.
   *
   * @default - BasicAuthPlugin.DEFAULT_SOURCE (basic_auth 1.12.0 from ghcr.io/istio-ecosystem)
   */
  readonly source?: WasmSource;
  /** Rules; more can be added with `addRule()`. @default - none (add some: with no rule every request passes) */
  readonly rules?: BasicAuthRule[];
  /**
   * Realm in the `WWW-Authenticate: Basic realm=<realm>` header of a 401.
   *
   * @default - not rendered (the module answers with realm "istio")
   */
  readonly realm?: string;
}

/**
 * A WasmPlugin running the basic_auth module, configured with typed rules. Phase defaults to `AUTHN`.
 *
 * @example
 * new BasicAuthPlugin(ns, 'basic-auth-at-waypoint', {
 *   targets: [waypoint],
 *   rules: [new BasicAuthRule({ match: PathMatch.prefix('/productpage'), methods: [HttpMethod.GET, HttpMethod.POST],
 *     credentials: [BasicAuthCredential.plain('ok', 'test')] })],
 * });
 */
export class BasicAuthPlugin extends WasmPlugin {
  /** The module URL of the Istio docs: basic_auth 1.12.0. */
  public static readonly DEFAULT_SOURCE = WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0');

  private readonly rules: BasicAuthRule[] = [];
  private readonly realm?: string;

  constructor(scope: Construct, id: string, props: BasicAuthPluginProps = {}) {
    super(scope, id, merged(props, { source: props.source ?? BasicAuthPlugin.DEFAULT_SOURCE, phase: props.phase ?? PluginPhase.AUTHN }));
    this.realm = props.realm;
    checkList(constructWhere(this.constructor.name, this), 'rules', props.rules, isRuleLike, 'a BasicAuthRule', RULE_FIX);
    for (const r of props.rules ?? []) this.addRule(r);
  }

  /** Adds a rule; it is checked as the module would check it. */
  public addRule(rule: BasicAuthRule): void {
    if (!isRuleLike(rule)) {
      throw propError(constructWhere(this.constructor.name, this), 'addRule: rule', 'must be a BasicAuthRule', rule, RULE_FIX);
    }
    this._check(checkBasicAuthRule(rule.toJson(), `spec.pluginConfig.basic_auth_rules[${this.rules.length}]`));
    this.rules.push(rule);
  }

  /** The rules (a copy). */
  public get basicAuthRules(): BasicAuthRule[] {
    return [...this.rules];
  }

  protected renderPluginConfig(): { [key: string]: any } | undefined {
    return {
      basic_auth_rules: this.rules.map((r) => r.toJson()),
      ...(this.realm !== undefined ? { realm: this.realm } : {}),
    };
  }
}

const RULE_FIX = 'pass new BasicAuthRule({ match: PathMatch.prefix("/productpage"), methods: [HttpMethod.GET], credentials: [BasicAuthCredential.plain("ok", "test")] })';

// shapes, not instanceof: a value made by another copy of the library is as good (STYLE.md, "Type checks")
function isObjectWith(v: unknown, key: string, type: 'string' | 'function'): boolean {
  return v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)[key] === type;
}
const isRuleLike = (v: unknown): boolean => isObjectWith(v, 'toJson', 'function');

/** A rule's props, as a JavaScript or jsii user may get their shapes wrong (what the module makes of them: the rules). */
function checkRuleProps(props: BasicAuthRuleProps): void {
  const where = 'BasicAuthRule';
  requiredProps(where, props, RULE_FIX);
  if (!isObjectWith(props.match, 'type', 'string') || !isObjectWith(props.match, 'path', 'string')) throw propError(where, 'match', 'must be a PathMatch', props.match, 'pass PathMatch.prefix("/productpage"), PathMatch.exact(path) or PathMatch.suffix(path)');
  // a string would be read letter by letter
  checkList(where, 'methods', props.methods, (m) => isObjectWith(m, 'value', 'string') || typeof m === 'string', 'an HttpMethod', 'pass methods: [HttpMethod.GET, HttpMethod.POST], or HttpMethod.of("PURGE") for another method', false);
  if (!Array.isArray(props.credentials)) {
    throw new Error(`${where}: credentials: must be a list of BasicAuthCredential (got ${quote(maskCredential(props.credentials))}); pass credentials: [BasicAuthCredential.plain("ok", "test")]`);
  }
  props.credentials.forEach((c, i) => {
    if (!isObjectWith(c, 'value', 'string')) {
      throw new Error(`${where}: credentials[${i}]: must be a BasicAuthCredential (got ${quote(maskCredential(c))}); pass BasicAuthCredential.plain(user, password), .encoded(token), .fromEnv(variable) or .vault(path, key)`);
    }
  });
  checkList(where, 'hosts', props.hosts, (h) => typeof h === 'string', 'a host pattern string', 'pass hosts: ["bookinfo.example.com", "*.example.com"]');
}
