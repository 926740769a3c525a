/**
 * Dot products of many vectors at once, as one matrix product in onnxruntime (already the embedder's
 * dependency): its MLAS kernels do 15–30 GFLOP/s on this project's 2-core build machine where a
 * JavaScript loop over Float32Arrays does ~1 (docs/benchmarks.md, "Pair search").
 *
 * The model is one ONNX `Gemm` node, C = A × Bᵀ, encoded here by hand (a dozen protobuf fields) rather
 * than shipped as a file or built with a protobuf library.
 */
import type * as Ort from 'onnxruntime-node';

// Loaded when the first index is built, not when this module is: the language server's bundle includes
// the pass (and so this file) but must start where the native runtime is not installed.
let runtime: Promise<typeof Ort> | undefined;
const onnxruntime = (): Promise<typeof Ort> => (runtime ??= import('onnxruntime-node'));

const text = new TextEncoder();

function varint(value: number): number[] {
  const out: number[] = [];
  while (value > 127) {
    out.push((value & 127) | 128);
    value >>>= 7;
  }
  out.push(value);
  return out;
}
/** A length-delimited protobuf field (wire type 2). */
function bytes(field: number, content: readonly number[]): number[] {
  return [...varint((field << 3) | 2), ...varint(content.length), ...content];
}
/** A varint protobuf field (wire type 0). */
function integer(field: number, value: number): number[] {
  return [...varint(field << 3), ...varint(value)];
}
function string(field: number, value: string): number[] {
  return bytes(field, [...text.encode(value)]);
}

/** ValueInfoProto of a float tensor whose dimensions are all symbolic. */
function floatTensor(name: string, dims: readonly string[]): number[] {
  const shape = dims.flatMap((dim) => bytes(1, string(2, dim))); // TensorShapeProto.dim.dim_param
  const tensorType = [...integer(1, 1), ...bytes(2, shape)]; // elem_type FLOAT, shape
  return [...string(1, name), ...bytes(2, bytes(1, tensorType))]; // name, TypeProto.tensor_type
}

/** ModelProto: C[n, m] = Gemm(A[n, d], B[m, d], transB = 1). */
function gemmModel(): Uint8Array {
  const transB = [...string(1, 'transB'), ...integer(3, 1), ...integer(20, 2)]; // name, i, type INT
  const node = [
    ...string(1, 'A'),
    ...string(1, 'B'),
    ...string(2, 'C'),
    ...string(4, 'Gemm'),
    ...bytes(5, transB),
  ];
  const graph = [
    ...bytes(1, node),
    ...string(2, 'scores'),
    ...bytes(11, floatTensor('A', ['n', 'd'])),
    ...bytes(11, floatTensor('B', ['m', 'd'])),
    ...bytes(12, floatTensor('C', ['n', 'm'])),
  ];
  const opset = [...string(1, ''), ...integer(2, 13)];
  return Uint8Array.from([...integer(1, 8), ...bytes(8, opset), ...bytes(7, graph)]);
}

export class Gemm {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
  ) {}

  static async create(threads = 2): Promise<Gemm> {
    const ort = await onnxruntime();
    const session = await ort.InferenceSession.create(gemmModel(), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
    return new Gemm(ort, session);
  }

  /** `a` (n rows of `width`) times `b` (m rows) transposed: n × m dot products, row-major. */
  async products(a: Float32Array, b: Float32Array, width: number): Promise<Float32Array> {
    const n = a.length / width;
    const m = b.length / width;
    const { C } = await this.session.run({
      A: new this.ort.Tensor('float32', a, [n, width]),
      B: new this.ort.Tensor('float32', b, [m, width]),
    });
    return C!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
