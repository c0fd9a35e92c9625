/**
 * Running a tfjs backend's own kernels from inside a kernel (and freeing what they return): the
 * base of the gradient kernels (gradKernels.ts) and of the wasm forward kernels (wasmKernels.ts).
 */
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { TF } from "./types";

/** The part of a tfjs backend the kernels need. */
export interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  write(values: Float32Array, shape: number[], dtype: "float32"): object;
  /** cpu: the stored values themselves; wasm: a copy (the heap views below are used there). */
  readSync(dataId: object): unknown;
  incRef?(dataId: object): void;
  /** wasm: a new tensor in its heap, and a view of a tensor's heap memory. */
  makeOutput?(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap?(t: TensorInfo): Float32Array;
}

export function isDisposingBackend(b: unknown): b is DisposingBackend {
  return (
    typeof b === "object" &&
    b !== null &&
    typeof (b as { disposeData?: unknown }).disposeData === "function" &&
    typeof (b as { write?: unknown }).write === "function"
  );
}

type Shape4 = [number, number, number, number];

/** Runs other kernels of the same backend, and frees every intermediate result at the end. */
export class Runner {
  private readonly temps: TensorInfo[] = [];

  constructor(
    private readonly tf: TF,
    private readonly backend: DisposingBackend,
    private readonly backendName: string,
    private readonly originals: ReadonlyMap<string, KernelConfig>,
  ) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const k = this.originals.get(name) ?? this.tf.getKernel(name, this.backendName);
    if (!k) throw new Error(`Kernel ${name} is not registered for backend ${this.backendName}`);
    const out = k.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`Kernel ${name} returned several tensors`);
    this.temps.push(out);
    return out;
  }

  /** A new float32 tensor with these values. */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    const t: TensorInfo = { dataId: this.backend.write(values, shape, "float32"), shape, dtype: "float32" };
    this.temps.push(t);
    return t;
  }

  /**
   * An element loop in JavaScript: `body` reads the float32 values of `inputs` and writes every
   * value of a new float32 tensor of `shape` (not zeroed). On wasm these are views of the heap:
   * nothing is copied, and nothing may be allocated on the backend while `body` runs.
   */
  loop(shape: number[], inputs: readonly TensorInfo[], body: (out: Float32Array, ...ins: Float32Array[]) => void): TensorInfo {
    for (const t of inputs) if (t.dtype !== "float32") throw new Error(`Expected float32 data, got ${t.dtype}`);
    const b = this.backend;
    let out: TensorInfo;
    if (b.makeOutput && b.typedArrayFromHeap) {
      out = b.makeOutput(shape, "float32");
      const heap = b.typedArrayFromHeap.bind(b);
      body(heap(out), ...inputs.map(heap));
    } else {
      const values = new Float32Array(shape.reduce((a, d) => a * d, 1));
      body(values, ...inputs.map((t) => b.readSync(t.dataId) as Float32Array));
      out = { dataId: b.write(values, shape, "float32"), shape, dtype: "float32" };
    }
    this.temps.push(out);
    return out;
  }

  /** Concatenation (kernels take the list itself as their inputs). */
  concat(list: TensorInfo[], axis: number): TensorInfo {
    return this.run("Concat", list as unknown as NamedTensorInfoMap, { axis });
  }

  /**
   * Interleaves phase grids: phases[a][b] is [N, Qh, Qw, C] (null: zeros) holding rows q·sh + a
   * and columns q·sw + b of the result [N, Qh·sh, Qw·sw, C]. Concatenations and reshapes.
   */
  interleave(phases: (TensorInfo | null)[][], n: number, qh: number, qw: number, c: number): TensorInfo {
    const sh = phases.length;
    const sw = phases[0]!.length;
    const zeros = (): TensorInfo => this.constant(new Float32Array(n * qh * qw * c), [n, qh, qw, c]);
    const rows = phases.map((row) =>
      sw === 1
        ? (row[0] ?? zeros())
        : this.reshape(
            this.concat(
              row.map((p) => this.reshape(p ?? zeros(), [n * qh * qw, 1, c])),
              1,
            ),
            [n, qh, qw * sw, c],
          ),
    );
    return sh === 1
      ? rows[0]!
      : this.reshape(
          this.concat(
            rows.map((p) => this.reshape(p, [n * qh, 1, qw * sw * c])),
            1,
          ),
          [n, qh * sh, qw * sw, c],
        );
  }

  /** Frees the intermediates except `result`, which the caller owns. */
  finish(result: TensorInfo): TensorInfo {
    // An input passed through unchanged is copied: the caller owns a kernel's output.
    if (!this.temps.includes(result)) result = this.run("Identity", { x: result });
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return result;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /** Pads (positive amounts, with zeros) and crops (negative amounts) each axis. */
  padCrop(x: TensorInfo, amounts: readonly (readonly [number, number])[]): TensorInfo {
    let t = x;
    if (amounts.some(([a, b]) => a < 0 || b < 0)) {
      const begin = amounts.map(([a]) => Math.max(0, -a));
      const size = amounts.map(([a, b], i) => t.shape[i]! - Math.max(0, -a) - Math.max(0, -b));
      t = this.run("Slice", { x: t }, { begin, size });
    }
    if (amounts.some(([a, b]) => a > 0 || b > 0)) {
      t = this.run("PadV2", { x: t }, { paddings: amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]), constantValue: 0 });
    }
    return t;
  }

  /** Spreads [N, H, W, C] onto a grid `s` times finer: [N, H·sh, W·sw, C], zeros in between. */
  spread(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return x;
    const [n, h, w, c] = x.shape as Shape4;
    let t = x;
    if (sh > 1) {
      t = this.reshape(t, [n * h, 1, w * c]);
      t = this.run(
        "PadV2",
        { x: t },
        {
          paddings: [
            [0, 0],
            [0, sh - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
    }
    if (sw > 1) {
      t = this.reshape(t, [n * h * sh * w, 1, c]);
      t = this.run(
        "PadV2",
        { x: t },
        {
          paddings: [
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
    }
    return this.reshape(t, [n, h * sh, w * sw, c]);
  }

  matMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    // Explicit transposes: wasm's BatchMatMul is 2–7× slower with transposeA or transposeB.
    const a2 = transposeA ? this.transpose(a, [1, 0]) : a;
    const b2 = transposeB ? this.transpose(b, [1, 0]) : b;
    return this.run("BatchMatMul", { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  }
}

export function input(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`Missing kernel input ${name}`);
  return t;
}
