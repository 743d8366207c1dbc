/** A WebAssembly text module, assembled by the build (esbuild.mjs) and embedded as base64. */
declare module '*.wat' {
  const base64: string;
  export default base64;
}
