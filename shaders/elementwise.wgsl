// Elementwise: out[i] = EXPR(a, b, c, d) with NumPy broadcasting.
//
// EXPR is a single WGSL expression over:
//   a, b, c, d   the f32 values of inputs 0..3 at the element that broadcasts to i
//   i            the output's linear index (u32), counted from the start of
//                the whole output also when it runs in binding ranges
//   s0..s3       f32 scalars from the uniforms
// so a chain of ops that reads as one expression runs as one kernel.
//
// Each workgroup runs blocks of WORKGROUP x PER_INVOCATION consecutive
// slots, an invocation every WORKGROUP-th slot of a block, and the grid
// strides over blocks when there are more than it holds. On lavapipe a
// workgroup of one 8-lane vector with 32 slots per invocation runs 1.2-1.5x
// faster than one slot per invocation (docs/performance.md, session 8).
// A slot is one element, or VEC4: four, loaded and stored as a vec4 with
// EXPR evaluated per lane.
//
// Bindings: inputs 0..N-1 (read-only storage; input 0 is `out` itself when
// IN_PLACE), out (read_write storage), params (uniform).
// Layout: up to 8 dimensions; each input carries the strides it is read
// with (0 on broadcast dimensions). An input of the output's shape reads
// slot j directly and a single-element input reads index 0, where j is
// the slot within the bound range: i = params.base + j (times 4 plus the
// lane with VEC4). An output larger than one binding runs as several
// dispatches, each over a range of every buffer that starts at slot
// `base` (strided inputs never do: base 0).

{{BINDINGS}}

struct Params {
  n: u32,
  rank: u32,
  base: u32,
  _pad1: u32,
  scalars: vec4<f32>,
  shape: array<vec4<u32>, 2>,
  strides: array<array<vec4<u32>, 2>, {{INPUT_SLOTS}}>,
}

@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

// x ** p with PyTorch's meaning for x < 0 (defined for integer p) and
// 0 ** 0 = 1; WGSL's pow is undefined for x < 0.
fn spow(x: f32, p: f32) -> f32 {
  if (p == 0.0) { return 1.0; }
  if (x >= 0.0) { return pow(x, p); }
  if (fract(p) != 0.0) { return bitcast<f32>(0x7fc00000u); }
  let magnitude = pow(-x, p);
  return select(magnitude, -magnitude, fract(p * 0.5) != 0.0);
}

// NaN by its bits: WGSL lets a compiler assume no NaN, so `a != a` may
// fold to false (it did on lavapipe: relu and clamp lost their NaNs).
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn dim(d: u32) -> u32 { return params.shape[d / 4u][d % 4u]; }

fn broadcast_index(i: u32, k: u32) -> u32 {
  var rest = i;
  var index = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let size = dim(u32(d));
    index += (rest % size) * params.strides[k][u32(d) / 4u][u32(d) % 4u];
    rest /= size;
  }
  return index;
}

// The expression at one element (absent inputs read 0).
fn value(a: f32, b: f32, c: f32, d: f32, i: u32) -> f32 {
  let s0 = params.scalars.x;
  let s1 = params.scalars.y;
  let s2 = params.scalars.z;
  let s3 = params.scalars.w;
  return {{EXPR}};
}

@compute @workgroup_size({{WORKGROUP}})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let block = {{WORKGROUP}}u * {{PER_INVOCATION}}u;
  let stride = nwg.x * nwg.y * block;
  for (var first = (wid.x + wid.y * nwg.x) * block; first < params.n; first += stride) {
    for (var step = 0u; step < {{PER_INVOCATION}}u; step++) {
      let j = first + step * {{WORKGROUP}}u + lane;
      if (j >= params.n) { break; }
{{LOADS}}
{{STORE}}
    }
  }
}
