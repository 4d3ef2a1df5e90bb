/**
 * The tool's name, version and the links reports carry (SARIF rules point at each rule's entry in the docs).
 */
import * as fs from 'fs';
import * as path from 'path';

export const TOOL_NAME = 'cdk8s-istio-ambient';

function findVersion(): string {
  // src/report (ts-node) and lib/src/report (compiled) sit at different depths below the package root
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === TOOL_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one folder up
    }
  }
  return '0.0.0';
}

/** The package version, as in its package.json. */
export const TOOL_VERSION = findVersion();

/**
 * The rules reference of this exact version, as the npm package ships it (docs/rules.md is in its files).
 * A registry CDN serves any published file of a package by version, so the link never drifts from the rules
 * the report was made with.
 */
export const RULES_DOC_URL = `https://unpkg.com/${TOOL_NAME}@${TOOL_VERSION}/docs/rules.md`;

/** The link to one rule's entry (its heading's anchor, as Markdown renderers make it). */
export function ruleHelpUri(code: string, base: string = RULES_DOC_URL): string {
  return `${base}#${code.toLowerCase()}`;
}
