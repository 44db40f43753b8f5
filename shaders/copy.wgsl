// Layout copies: permute, transpose, slicing (with steps), padding,
// broadcasting (expand), and writing a block into a larger tensor (cat,
// the gradient of a strided slice).
//
// One invocation handles one element i of the iteration shape (row-major),
// whose coordinates c_d map to a strided position in the other tensor:
//   q_d = c_d * step_d + start_d,   index = offset + sum_d q_d * stride_d
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

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let grid = nwg.x * 64u;
  for (var i = gid.x + gid.y * grid; i < params.n; i += grid * nwg.y) {
    var rest = i;
    var index = params.offset;
    var inside = true;
    for (var d = i32(params.rank) - 1; d >= 0; d--) {
      let a = u32(d) / 4u;
      let b = u32(d) % 4u;
      let size = params.shape[a][b];
      let q = i32(rest % size) * params.step[a][b] + params.start[a][b];
      rest /= size;
      inside = inside && q >= 0 && u32(q) < params.bound[a][b];
      index += u32(q) * params.stride[a][b];
    }
    if (SCATTER) {
      out[index] = x[i];
    } else {
      out[i] = select(params.fill, x[select(0u, index, inside)], inside);
    }
  }
}
