// The shape of a convolution as kernels/heap.c's conv2d_nhwc takes it (shared by the single-threaded
// call in wasm/Conv2D.ts and the threaded one in conv-threads.ts).

export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  ci: number;
  oh: number;
  ow: number;
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

/** The packed filter of a group of panels should stay in a core's L2 cache (256 KiB of 1-2 MiB). */
const GROUP_BYTES = 256 * 1024;

/** Floats of the filter packed in panels of 8 output channels (pack_panels). */
export function packedFloats(g: ConvGeometry): number {
  return Math.ceil(g.co / 8) * 8 * g.kh * g.kw * g.ci;
}

/**
 * conv2d_nhwc's arguments before the row range: byte offsets of x, the packed filter, y and a row of
 * ci zeros, then the geometry and the panel group size.
 */
export function convKernelArgs(
  g: ConvGeometry,
  x: number,
  packed: number,
  y: number,
  zero: number,
): number[] {
  const K = g.kh * g.kw * g.ci;
  const group = Math.max(1, Math.floor(GROUP_BYTES / (K * 8 * 4)));
  return [
    x,
    packed,
    y,
    zero,
    g.n,
    g.h,
    g.w,
    g.ci,
    g.oh,
    g.ow,
    g.co,
    g.kh,
    g.kw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
    g.top,
    g.left,
    group,
  ];
}

/** The matrix product [m, k] x [k, n] as the 1x1 convolution over m rows of k channels that computes it. */
export function matrixGeometry(m: number, k: number, n: number): ConvGeometry {
  return {
    n: 1,
    h: m,
    w: 1,
    ci: k,
    oh: m,
    ow: 1,
    co: n,
    kh: 1,
    kw: 1,
    sh: 1,
    sw: 1,
    dh: 1,
    dw: 1,
    top: 0,
    left: 0,
  };
}

/**
 * The 1x1 convolution over im2col_nhwc's rows [n oh ow, kh kw ci] that equals `g`: the same packed
 * filter (a filter [kh, kw, ci, co] is the matrix [kh kw ci, co]) and the same output rows.
 */
export function im2colGeometry(g: ConvGeometry): ConvGeometry {
  return matrixGeometry(g.n * g.oh * g.ow, g.kh * g.kw * g.ci, g.co);
}

/** im2col_nhwc's arguments before the row range: byte offsets of x and the rows, then the geometry. */
export function im2colArgs(g: ConvGeometry, x: number, cols: number): number[] {
  return [x, cols, g.n, g.h, g.w, g.ci, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.top, g.left];
}

/** The geometry of tfjs's convolution info (computeConv2DInfo) for conv2d_nhwc. */
export function convGeometryOf(info: {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number };
}): ConvGeometry {
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    co: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
