// elkjs's worker script, imported as text (esbuild: `with { type: 'text' }`) to start it from a Blob.
declare module 'elkjs/lib/elk-worker.min.js' {
  const source: string;
  export default source;
}
