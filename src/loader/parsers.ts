/**
 * The two YAML parsers, loaded when first used: a run that parses nothing (`analyze --cache` answering an unchanged
 * input) never loads them, and loading them is some 80 ms, a twelfth of such a run over 3,000 namespaces.
 */
import type * as JsYaml from 'js-yaml';
import type * as Yaml from 'yaml';

let jsYaml: typeof JsYaml | undefined;
let yaml: typeof Yaml | undefined;

/** js-yaml, which reads every document the block reader leaves to it. */
export function jsYamlModule(): typeof JsYaml {
  return (jsYaml ??= require('js-yaml') as typeof JsYaml);
}

/** yaml, which reads a document with its positions (and one js-yaml refused, to say where). */
export function yamlModule(): typeof Yaml {
  return (yaml ??= require('yaml') as typeof Yaml);
}
