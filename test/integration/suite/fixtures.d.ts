// The suites import the ESLint reports as text; esbuild bundles them with its text loader.
declare module '*.sarif' {
  const text: string;
  export default text;
}
