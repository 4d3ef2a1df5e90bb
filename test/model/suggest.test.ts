import fc from 'fast-check';
import { closestName, didYouMean, editDistance } from '../../src/model/suggest';

describe('editDistance', () => {
  test.each([
    ['', '', 0], ['abc', '', 3], ['', 'abc', 3], ['kitten', 'sitting', 3],
    ['shop-gatway', 'shop-gateway', 1], ['ledgr', 'ledger', 1], ['abcd', 'abdc', 1], ['ca', 'ac', 1],
  ])('%j to %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  test('is a metric bounded by the longer length, symmetric, zero only for equal strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
      const d = editDistance(a, b);
      expect(d).toBe(editDistance(b, a));
      expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      expect(d === 0).toBe(a === b);
    }));
  });

  test('with a bound, returns the distance when within it and bound + 1 past it', () => {
    fc.assert(fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.nat({ max: 6 }), (a, b, max) => {
      const d = editDistance(a, b);
      expect(editDistance(a, b, max)).toBe(d <= max ? d : max + 1);
    }));
  });
});

describe('closestName', () => {
  test('suggests the typo fixes of the issue: a gateway, a Service', () => {
    expect(closestName('shop-gatway', ['shop-gateway', 'waypoint'])).toBe('shop-gateway');
    expect(closestName('ledgr', ['cart', 'ledger', 'orders'])).toBe('ledger');
  });

  test('prefers the same name in another case, then the fewest edits, then the first in sorted order', () => {
    expect(closestName('Reviews', ['reviewz', 'reviews'])).toBe('reviews');
    expect(closestName('ratings', ['ratingz', 'ratinks', 'rating'])).toBe('rating');
    expect(closestName('abcdef', ['abcdxy', 'abcdez', 'abcdey'])).toBe('abcdey');
  });

  test('suggests nothing far away, nothing for very short names, and never the name itself', () => {
    expect(closestName('nope', ['curl', 'sleep'])).toBeUndefined();
    expect(closestName('a', ['b'])).toBeUndefined();
    expect(closestName('ab', ['ac'])).toBeUndefined();
    expect(closestName('cart', ['cart'])).toBeUndefined();
    expect(closestName('cart', [])).toBeUndefined();
  });

  test('whatever it suggests is within the allowed edits and is a candidate', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 10 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 6 }), (w, cs) => {
      const s = closestName(w, cs);
      if (s === undefined) return;
      expect(cs).toContain(s);
      expect(s).not.toBe(w);
      if (s.toLowerCase() !== w.toLowerCase()) expect(editDistance(w, s)).toBeLessThanOrEqual(3);
    }));
  });

  test('didYouMean starts a fix, or is empty', () => {
    expect(didYouMean('ledgr', ['ledger'])).toBe('did you mean "ledger"? ');
    expect(didYouMean('nope', ['curl'])).toBe('');
  });
});
