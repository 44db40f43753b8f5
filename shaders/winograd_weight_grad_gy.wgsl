// Winograd F(3x3, 2x2) for the weight gradient, transform of the output
// gradient: for each 2x2 tile h of gy (rows 2 * ty, columns 2 * tx; zeros
// past the edge, so that partial tiles add nothing), U = G h G^T with
// G = [1 0; 1/2 1/2; 1/2 -1/2; 0 -1], written as 16 matrices (one per
// element xi of U), each [OC][T] (per group [G][OCG][T]) with the tiles
// along the GEMM's k, contiguous:
//   u[(xi * OC + oc) * T + t].
// One invocation per (output channel, tile), the tile fastest.
//
// Bindings: gy (read) [N, OC, OH, OW], u (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> gy: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;

struct Params {
  // invocations (OC * T), tiles per sample, TW, tiles T
  count: u32, tiles: u32, tw: u32, t: u32,
  // output channels OC, output height and width, unused
  oc: u32, oh: u32, ow: u32, _0: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let t = id % p.t;
  let channel = id / p.t;
  let tile = t % p.tiles;
  let plane = (t / p.tiles) * p.oc + channel; // n * OC + channel
  let oy = (tile / p.tw) * 2u;
  let ox = (tile % p.tw) * 2u;
  let base = plane * p.oh * p.ow + oy * p.ow + ox;
  let right = ox + 1u < p.ow;
  let below = oy + 1u < p.oh;
  var h0 = vec2<f32>(gy[base], 0.0);
  var h1 = vec2<f32>(0.0);
  if (right) { h0.y = gy[base + 1u]; }
  if (below) { h1.x = gy[base + p.ow]; }
  if (right && below) { h1.y = gy[base + p.ow + 1u]; }
  // G h: 4 rows of 2
  let rows = array<vec2<f32>, 4>(h0, 0.5 * (h0 + h1), 0.5 * (h0 - h1), -h1);
  let stride = p.count; // OC * T between consecutive xi
  for (var i = 0u; i < 4u; i++) {
    // (G h) G^T: 4 columns
    let r = rows[i];
    let o = id + i * 4u * stride;
    u[o] = r.x;
    u[o + stride] = 0.5 * (r.x + r.y);
    u[o + 2u * stride] = 0.5 * (r.x - r.y);
    u[o + 3u * stride] = -r.y;
  }
}
