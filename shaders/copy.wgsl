// Layout copies: permute, transpose, slicing (with steps), padding,
// broadcasting (expand), and writing a block into a larger tensor (cat,
// the gradient of a strided slice).
//
// The iteration shape is walked as rows along its last dimension: an
// invocation takes RUN consecutive elements i of a row, whose coordinates
// c_d map to a strided position in the other tensor:
//   q_d = c_d * step_d + start_d,   index = offset + sum_d q_d * stride_d
// The row's coordinates are split once per invocation, not per element
// (integer division is a loop over the lanes on lavapipe).
// GATHER: out[i] = x[index], or `fill` when some q_d leaves [0, bound_d)
//         (padding). The iteration shape is the output's.
// SCATTER: out[index] = x[i] for each element of x (which is contiguous);
//         out is an existing buffer whose other elements are kept.
//
// Bindings: x (read), out (read_write), params (uniform). Up to 8 dims.

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

struct Params {
  n: u32,
  rank: u32,
  offset: u32,
  fill: f32,
  shape: array<vec4<u32>, 2>,
  step: array<vec4<i32>, 2>,
  start: array<vec4<i32>, 2>,
  bound: array<vec4<u32>, 2>,
  stride: array<vec4<u32>, 2>,
}
@group(0) @binding(2) var<uniform> params: Params;

const SCATTER: bool = {{SCATTER}};
const WORKGROUP: u32 = {{WORKGROUP}}u;
const RUN: u32 = {{RUN}}u;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let last = params.rank - 1u;
  let width = params.shape[last / 4u][last % 4u];
  let step = params.step[last / 4u][last % 4u];
  let start = params.start[last / 4u][last % 4u];
  let bound = params.bound[last / 4u][last % 4u];
  let stride = params.stride[last / 4u][last % 4u];
  let offset = params.offset;
  let fill = params.fill;
  let chunks = (width + RUN - 1u) / RUN;
  let units = params.n / width * chunks;
  let grid = nwg.x * WORKGROUP;
  for (var u = gid.x + gid.y * grid; u < units; u += grid * nwg.y) {
    let row = u / chunks;
    let c0 = u % chunks * RUN;
    var rest = row;
    var index = offset;
    var inside = true;
    for (var d = i32(last) - 1; d >= 0; d--) {
      let a = u32(d) / 4u;
      let b = u32(d) % 4u;
      // the uniform itself: a runtime index into a copy of its arrays
      // would make a backend spill the copy to memory
      let size = params.shape[a][b];
      let q = i32(rest % size) * params.step[a][b] + params.start[a][b];
      rest /= size;
      inside = inside && q >= 0 && u32(q) < params.bound[a][b];
      index += u32(q) * params.stride[a][b];
    }
    for (var j = 0u; j < RUN; j++) {
      let c = c0 + j;
      if (c >= width) { break; }
      let q = i32(c) * step + start;
      let at = index + u32(q) * stride;
      let i = row * width + c;
      if (SCATTER) {
        out[at] = x[i];
      } else {
        let ok = inside && q >= 0 && u32(q) < bound;
        out[i] = select(fill, x[select(0u, at, ok)], ok);
      }
    }
  }
}
