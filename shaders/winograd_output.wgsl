// Winograd F(2x2, 3x3), output transform: Y = A^T M A for each tile, with
// A^T = [1 1 1 0; 0 1 -1 -1], from the 16 products
// m[((xi * G + g) * T + t) * OCG + o] (o the output channel within its
// group, so (g, o) is the output channel g * OCG + o); the 2x2 block lands
// at rows 2 * ty, columns 2 * tx of y [N, OC, OH, OW] (what lies past the
// edge is dropped), through the epilogue (bias, ReLU).
// One invocation per (sample, tile, output channel), the channel fastest.
//
// Bindings: m (read), [bias (read)], y (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> m: array<f32>;
{{BINDINGS}}

struct Params {
  // invocations (N * OC * TH * TW), tiles per sample, TW, tiles T
  count: u32, tiles: u32, tw: u32, t: u32,
  // output channels OC, output height and width, channels per group OCG
  oc: u32, oh: u32, ow: u32, ocg: u32,
}
@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let channel = id % p.oc;
  let t = id / p.oc; // n * TH * TW + tile
  let tile = t % p.tiles;
  let plane = (t / p.tiles) * p.oc + channel; // n * OC + channel
  let stride = p.oc * p.t;
  let first = ((channel / p.ocg) * p.t + t) * p.ocg + channel % p.ocg;
  // A^T M: two rows of 4
  var top = vec4<f32>(0.0);
  var bottom = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    let c0 = m[first + j * stride];
    let c1 = m[first + (4u + j) * stride];
    let c2 = m[first + (8u + j) * stride];
    let c3 = m[first + (12u + j) * stride];
    top[j] = c0 + c1 + c2;
    bottom[j] = c1 - c2 - c3;
  }
  // (A^T M) A
  let y00 = top.x + top.y + top.z;
  let y01 = top.y - top.z - top.w;
  let y10 = bottom.x + bottom.y + bottom.z;
  let y11 = bottom.y - bottom.z - bottom.w;
  let oy = (tile / p.tw) * 2u;
  let ox = (tile % p.tw) * 2u;
  let base = plane * p.oh * p.ow + oy * p.ow + ox;
  let right = ox + 1u < p.ow;
  let below = oy + 1u < p.oh;
{{STORE}}
}
