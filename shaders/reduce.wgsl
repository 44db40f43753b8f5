// Reduction over the middle axis of a [outer, R, inner] view (row-major):
//   out[o, j] = REDUCE over r of x[o, r, j]   (sum, max or min)
// and, for max and min, index[o, j] = the first r where the extreme occurs.
//
// One workgroup of WG invocations computes WG_OUTPUTS outputs:
//   - PER_THREAD (WG_OUTPUTS = WG): each invocation loops over all of R for
//     its own output; good when there are many outputs (softmax rows, a
//     channel sum of a big batch).
//   - PER_GROUP (WG_OUTPUTS = 1): the WG invocations stride over R together
//     and combine in workgroup memory; good for few outputs with long R
//     (the sum behind a loss, a whole-tensor max).
//
// Bindings: x (read), out (read_write), index (read_write, written when
// WITH_INDEX), params (uniform). Workgroups beyond 65535 fold into y.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> index: array<f32>;

struct Params { outer: u32, r: u32, inner: u32, _pad: u32 }
@group(0) @binding(3) var<uniform> params: Params;

const WG: u32 = 64u;
const PER_GROUP: bool = {{PER_GROUP}};
const WITH_INDEX: bool = {{WITH_INDEX}};

// Whether (v, iv) should replace (best, ib): the op's rule, ties keep the
// lower index, NaN wins (as in PyTorch). Unused by sum.
// NaN by its bits: WGSL lets a compiler assume no NaN, so `v != v` may fold
// away. A NaN beats every number, and of two NaNs the first (lower index)
// wins, as in PyTorch's max and argmax.
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn better(v: f32, iv: u32, best: f32, ib: u32) -> bool {
  {{BETTER}}
}

var<workgroup> shared_value: array<f32, WG>;
var<workgroup> shared_index: array<u32, WG>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let group = wid.x + wid.y * nwg.x;
  let outputs = params.outer * params.inner;
  if (!PER_GROUP) {
    let o = group * WG + lid;
    if (o < outputs) {
      let base = (o / params.inner) * params.r * params.inner + o % params.inner;
      var best = {{INIT}};
      var best_index = 0xffffffffu;
      for (var r = 0u; r < params.r; r++) {
        let v = x[base + r * params.inner];
        {{ACCUMULATE_FIRST}}
      }
      out[o] = best;
      if (WITH_INDEX) { index[o] = f32(select(best_index, 0u, best_index == 0xffffffffu)); }
    }
    return;
  }
  // PER_GROUP: uniform control flow for the barriers below.
  let o = group;
  let valid = o < outputs;
  let base = (o / params.inner) * params.r * params.inner + o % params.inner;
  var best = {{INIT}};
  var best_index = 0xffffffffu;
  if (valid) {
    for (var r = lid; r < params.r; r += WG) {
      let v = x[base + r * params.inner];
      {{ACCUMULATE_FIRST}}
    }
  }
  shared_value[lid] = best;
  shared_index[lid] = best_index;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      let v = shared_value[lid + half];
      let iv = shared_index[lid + half];
      {{MERGE}}
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) {
    out[o] = shared_value[0];
    if (WITH_INDEX) { index[o] = f32(shared_index[0]); }
  }
}
