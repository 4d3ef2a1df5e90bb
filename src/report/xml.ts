/**
 * A minimal XML writer for our reports: fixed element and attribute names, any text escaped. Characters XML
 * 1.0 cannot carry (most control characters, lone surrogates) become U+FFFD, so the output always parses.
 */

/** An element: its name, attributes in order, and children (elements or text). */
export interface XmlElement {
  readonly name: string;
  readonly attributes?: ReadonlyArray<readonly [string, string | number]>;
  readonly children?: ReadonlyArray<XmlElement | string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// everything outside XML 1.0's Char production: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text XML can carry: every character it cannot is replaced with U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Escapes text content (CR kept as a reference: parsers would otherwise turn CRLF into LF). */
export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value for double quotes (tab, LF and CR as references: parsers would turn them into spaces). */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

function render(e: XmlElement, indent: string, out: string[]): void {
  if (!NAME.test(e.name)) throw new Error(`xml: element name ${JSON.stringify(e.name)} is not a plain XML name`);
  const attrs = (e.attributes ?? []).map(([k, v]) => {
    if (!NAME.test(k)) throw new Error(`xml: attribute name ${JSON.stringify(k)} is not a plain XML name`);
    return ` ${k}="${escapeAttribute(String(v))}"`;
  }).join('');
  const children = e.children ?? [];
  if (children.length === 0) {
    out.push(`${indent}<${e.name}${attrs}/>`);
  } else if (children.every((c) => typeof c === 'string')) {
    // text stays exactly as given: no indentation is added inside it
    out.push(`${indent}<${e.name}${attrs}>${children.map((c) => escapeText(c as string)).join('')}</${e.name}>`);
  } else {
    out.push(`${indent}<${e.name}${attrs}>`);
    for (const c of children) {
      if (typeof c === 'string') out.push(escapeText(c));
      else render(c, `${indent}  `, out);
    }
    out.push(`${indent}</${e.name}>`);
  }
}

/** A whole document: the XML declaration, then the element tree, two-space indented, ending with a newline. */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, '', out);
  return `${out.join('\n')}\n`;
}
