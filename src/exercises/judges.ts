/**
 * The answer matches (null), or matches but for case or leading zeros (a hint of its own), or
 * is wrong ('': the case's own hint applies).
 */
export function exact(answer: string, expected: string): string | null {
  if (answer === expected) return null;
  if (answer.toLowerCase() === expected.toLowerCase()) return 'the spec writes hex in lower case';
  if (answer.length < expected.length && answer.replace(/^0+/, '') === expected.replace(/^0+/, ''))
    return 'the leading zeros are part of the value on the wire: pad to the byte length of p (s.4.1)';
  return '';
}
