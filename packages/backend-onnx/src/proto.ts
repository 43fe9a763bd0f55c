/**
 * A tiny protobuf writer for the few ONNX messages cvxnn builds (ModelProto, GraphProto,
 * NodeProto, ValueInfoProto, TensorProto, AttributeProto), field numbers from onnx/onnx.proto3.
 * Enough to express small fixed graphs (MatMul, Gemm, Mul, ReduceSum, Reshape, Transpose)
 * without a protobuf dependency.
 *
 * @example
 *   const bytes = encodeModel({ nodes: [node('MatMul', ['A', 'B'], ['C'])],
 *     inputs: [valueInfo('A', DOUBLE, ['m', 'k']), valueInfo('B', DOUBLE, ['k', 'n'])],
 *     outputs: [valueInfo('C', DOUBLE, ['m', 'n'])] });
 */

/** ONNX TensorProto.DataType of fp32 (FLOAT). */
export const FLOAT = 1;
/** ONNX TensorProto.DataType of fp64 (DOUBLE). */
export const DOUBLE = 11;
/** ONNX TensorProto.DataType of int64 (INT64). */
export const INT64 = 7;

class Writer {
  private buf: number[] = [];
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.buf.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.buf.push(Number(x));
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    for (const x of b) this.buf.push(x);
  }
  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, w: Writer): void {
    this.bytes(field, w.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.buf);
  }
}

/**
 * One graph node: op type, input and output names, integer / integer-list attributes.
 *
 * @example
 *   node('Gemm', ['A', 'B'], ['C'], { transA: 1 });
 */
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, number | number[]>;
}

/**
 * Build an `OnnxNode`.
 *
 * @example
 *   node('ReduceSum', ['T', 'axes'], ['F'], { keepdims: 0 });
 */
export function node(op: string, inputs: string[], outputs: string[], attrs?: Record<string, number | number[]>): OnnxNode {
  return { op, inputs, outputs, attrs };
}

/**
 * A graph input or output: name, element type and shape (numbers are fixed dims, strings symbolic).
 *
 * @example
 *   valueInfo('X', DOUBLE, ['n', 50]);
 */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: Array<number | string>;
}

/**
 * Build an `OnnxValueInfo`.
 *
 * @example
 *   valueInfo('F', FLOAT, [1000, 1]);
 */
export function valueInfo(name: string, elemType: number, shape: Array<number | string>): OnnxValueInfo {
  return { name, elemType, shape };
}

/**
 * A constant int64 tensor baked into the graph (shapes, axes).
 *
 * @example
 *   const axes: OnnxInitializer = { name: 'axes', dims: [1], int64: [1] };
 */
export interface OnnxInitializer {
  name: string;
  dims: number[];
  int64: number[];
}

/**
 * A whole model: nodes, inputs, outputs, int64 initializers, at ONNX opset `opset` (default 13).
 *
 * @example
 *   encodeModel({ nodes, inputs, outputs, initializers: [{ name: 'axes', dims: [1], int64: [1] }] });
 */
export interface OnnxModelSpec {
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers?: OnnxInitializer[];
  opset?: number;
}

function encodeValueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim);
  }
  const tensor = new Writer();
  tensor.int(1, v.elemType); // elem_type
  tensor.message(2, shape); // shape
  const type = new Writer();
  type.message(1, tensor); // TypeProto.tensor_type
  const w = new Writer();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

/**
 * Serialize a model to ONNX protobuf bytes (IR version 8), ready for an InferenceSession.
 *
 * @example
 *   const bytes = encodeModel(spec); // Uint8Array
 */
export function encodeModel(spec: OnnxModelSpec): Uint8Array {
  const graph = new Writer();
  spec.nodes.forEach((n, k) => {
    const w = new Writer();
    for (const i of n.inputs) w.string(1, i);
    for (const o of n.outputs) w.string(2, o);
    w.string(3, `${n.op}_${k}`);
    w.string(4, n.op);
    for (const [name, val] of Object.entries(n.attrs ?? {})) {
      const a = new Writer();
      a.string(1, name);
      if (Array.isArray(val)) {
        for (const x of val) a.int(8, x); // ints
        a.int(20, 7); // AttributeType.INTS
      } else {
        a.int(3, val); // i
        a.int(20, 2); // AttributeType.INT
      }
      w.message(5, a);
    }
    graph.message(1, w);
  });
  graph.string(2, 'cvxnn');
  for (const init of spec.initializers ?? []) {
    const t = new Writer();
    for (const d of init.dims) t.int(1, d); // dims
    t.int(2, INT64); // data_type
    for (const x of init.int64) t.int(7, x); // int64_data
    t.string(8, init.name);
    graph.message(5, t);
  }
  for (const v of spec.inputs) graph.message(11, encodeValueInfo(v));
  for (const v of spec.outputs) graph.message(12, encodeValueInfo(v));
  const opset = new Writer();
  opset.string(1, '');
  opset.int(2, spec.opset ?? 13);
  const model = new Writer();
  model.int(1, 8); // ir_version
  model.string(2, 'cvxnn');
  model.message(7, graph);
  model.message(8, opset);
  return model.finish();
}
