/**
 * Vector arithmetic of the semantic pass, apart from the embedder: the language server's bundle loads
 * the pass's modules but not onnxruntime-node, which only the worker thread needs (the VSIX ships no
 * node_modules, so a top-level require of it would stop the whole server).
 */

/** Cosine of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}
