// Conv2d as implicit GEMM over the register block of shaders/matmul.wgsl:
// C[g, m, n] = sum_k A[g, m, k] * B[g, k, n] per group g (workgroup_id.z),
// with B gathered from the NCHW tensor inside the kernel (no im2col in
// memory). One invocation accumulates TM rows x TN columns of C (TN/4 vec4
// per row, local variables c_i_j). Two kernels share this file:
//
// DIRECT (forward; backward-input as forward convolutions of gy, see
// lib/device/conv2d.ts): m = output channel, n = PR output rows of TN
// consecutive pixels (sample nb, rows oy.., columns ox0..ox0+TN-1), k =
// (c, ky, kx). The loop runs over (CU channels, ky); per step it fetches,
// per channel and output row, the input row window that all KW taps of the
// TN pixels read ((TN-1)*SW + (KW-1)*DW + 1 values, instead of TN*KW, as
// whole vec4 texels of a zero-padded, vec4-aligned copy of the input: no
// edge checks), and CU*KW vec4s of 4 rows of the packed weights A [g, c, ky,
// kx, m] (k-major), then does TM x PR*TN x CU*KW FMAs. The result is stored
// at (out_y0 + oy*out_sy, out_x0 + ox*out_sx) of an [N, OC, out_h, out_w]
// tensor, which lets a stride phase of backward-input write its pixels in
// place; (ph, pw) hold where output (0, 0)'s window starts in the copy.
//
// GEMM (backward-weight): m = output channel, n = (c, ky, kx), k = (b, oy,
// ox); A = gy and B = x gathered value by value (zero in the padding).
//
// Bindings: a (read: packed weights as an rgba32float texture or vec4 or
// f32 storage array; gy, f32, for GEMM), b (read: the padded input as a
// texture or vec4 array; x, f32, for GEMM), bias (read, DIRECT only; a
// dummy when flags say no bias), out (read_write, f32), params (uniform, or storage when a texture
// is bound).
// Both kernels share A's loads over a subgroup where a workgroup is exactly
// one (LANE declares `lane`; see shaders/matmul.wgsl).
// Layout: NCHW, row-major float32. Tile constants: TM, TN, WG_X, WG_Y;
// DIRECT bakes PR, CU, KW, SW, DW and the window's shift into the texel
// into the code, GEMM its k-step KS.

{{BINDINGS}}

struct Params {
  batch: u32,
  c: u32,
  h: u32,
  w: u32,
  oc: u32,
  oh: u32,
  ow: u32,
  cg: u32,
  ocg: u32,
  kh: u32,
  kw: u32,
  tiles_w: u32,
  sh: i32,
  sw: i32,
  ph: i32,
  pw: i32,
  dh: i32,
  dw: i32,
  out_h: u32,
  out_w: u32,
  out_sy: u32,
  out_sx: u32,
  out_y0: u32,
  out_x0: u32,
  m: u32,
  n: u32,
  k: u32,
  a_group_stride: u32,
  // DIRECT's epilogue: bit 0 adds bias[oc], bit 1 applies max(0, .)
  flags: u32,
}

@group(0) @binding({{PARAMS_BINDING}}) var<{{PARAMS_SPACE}}> params: Params;

{{HELPERS}}

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,{{LANE}}
) {
  // one copy of the parameters up front: each read of a storage (or
  // uniform) buffer is a loop over the lanes on lavapipe, and hundreds of
  // them in the stores made LLVM take 20-40 s to compile this kernel
  let p = params;
  let M = p.m;
  let N = p.n;
  let K = p.k;
  let g = wid.z;
  let row0 = (wid.y * {{WG_Y}}u + lid.y) * {{TM}}u;
  let col_tile = wid.x * {{WG_X}}u + lid.x;
  let a_base = g * p.a_group_stride;
  let H = p.h;
  let W = p.w;
  let HW = H * W;
  let h_i32 = i32(H);
  let w_i32 = i32(W);
  let OHW = p.oh * p.ow;
  let KHW = p.kh * p.kw;
  // Rows and columns past the edge read clamped (valid) addresses; their
  // results are never stored.
{{SETUP}}
{{ACCUMULATORS}}
{{LOOP}}
{{STORE}}
}
