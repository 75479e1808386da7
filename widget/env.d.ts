// Modules the build provides (see rollup.config.mjs; Vitest handles `?inline` natively).
declare module '*.css?inline' {
  /** The file's CSS, minified, as a string to inject into the shadow root. */
  const css: string;
  export default css;
}
