// The XML writer escapes anything: a real XML parser reads back every text and attribute exactly (characters
// XML cannot carry become U+FFFD).
import * as fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderXml, xmlSafe } from '../../src/report/xml';

const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseTagValue: false,
  trimValues: false, processEntities: true, htmlEntities: true, ignoreDeclaration: true,
});

// any UTF-16 string, lone surrogates and control characters included
const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ']]>', '\u0000', '\uD800', '\uDC00', '\uFFFE'), fc.string({ unit: 'grapheme' }), fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n))) });

describe('xml writer', () => {
  test('attribute values and text read back exactly (property)', () => {
    fc.assert(fc.property(anyText, anyText, (attr, text) => {
      const xml = renderXml({ name: 'root', attributes: [['a', attr]], children: [{ name: 'child', children: [text] }] });
      expect(XMLValidator.validate(xml)).toBe(true);
      const doc = parser.parse(xml);
      expect(doc.root['@a']).toBe(xmlSafe(attr));
      const child = doc.root.child;
      expect(typeof child === 'string' ? child : child?.['#text'] ?? '').toBe(xmlSafe(text));
    }), { numRuns: 300 });
  });

  test('only characters XML 1.0 cannot carry are replaced', () => {
    expect(xmlSafe('a\u0000b\u0008c\td\ne\rf\uFFFEg')).toBe('a\uFFFDb\uFFFDc\td\ne\rf\uFFFDg');
    expect(xmlSafe('\uD83D\uDE00')).toBe('\uD83D\uDE00');
    expect(xmlSafe('x\uD83Dy\uDE00')).toBe('x\uFFFDy\uFFFD');
  });

  test('fails on names it would have to escape', () => {
    expect(() => renderXml({ name: 'a b' })).toThrow(/element name "a b"/);
    expect(() => renderXml({ name: 'a', attributes: [['x"', '1']] })).toThrow(/attribute name/);
  });
});
