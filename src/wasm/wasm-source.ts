import { checkUrl } from '../rules/wasm-fields';
import { formatProblem } from '../private/problem-text';
import { checkString } from '../private/props';
import { maskBareUrl, quote } from '../rules/display';

/**
 * Where a Wasm module comes from: an OCI image, an HTTP(S) URL, or a file already in the proxy container.
 *
 * @see https://istio.io/latest/docs/reference/config/proxy_extensions/wasm-plugin/#WasmPlugin
 */
export class WasmSource {
  /**
   * An OCI image, fetched by the istio-agent.
   *
   * @param image the image with tag or digest, with or without the `oci://` prefix
   * @example WasmSource.oci('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0')
   */
  public static oci(image: string): WasmSource {
    checkString('WasmSource.oci', 'image', image, 'pass the image as a string, e.g. "ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0"');
    return WasmSource.fromUrl(image.startsWith('oci://') ? image : `oci://${image}`);
  }

  /** A module served over HTTP or HTTPS, fetched by the istio-agent. */
  public static http(url: string): WasmSource {
    checkString('WasmSource.http', 'url', url, 'pass the URL as a string, e.g. "https://example.com/plugin.wasm"');
    if (!/^https?:\/\//i.test(url)) {
      throw new Error(`WasmSource.http: url: must start with http:// or https:// (got ${quote(maskBareUrl(url))}); pass the full URL, or use WasmSource.oci() for images`);
    }
    return WasmSource.fromUrl(url);
  }

  /** A file already present in the proxy container, read by Envoy itself. */
  public static file(path: string): WasmSource {
    checkString('WasmSource.file', 'path', path, 'pass the path as a string, e.g. "/etc/istio/extensions/auth.wasm"');
    if (!path.startsWith('/')) {
      throw new Error(`WasmSource.file: path: must be absolute (got ${JSON.stringify(path)}); pass a path such as "/etc/istio/extensions/auth.wasm"`);
    }
    return WasmSource.fromUrl(`file://${path}`);
  }

  /** Any URL Istio accepts (`oci://`, `http://`, `https://`, `file://`, or no scheme for OCI), as written. */
  public static fromUrl(url: string): WasmSource {
    const problems = checkUrl(url);
    if (problems.length > 0) throw new Error(`WasmSource: ${formatProblem(problems[0])}`);
    return new WasmSource(url);
  }

  /** The URL as rendered in `spec.url`. */
  public readonly url: string;

  private constructor(url: string) {
    this.url = url;
  }
}
