// Winograd F(TxT, KxK) (T = 2 or 4, K = 3 or 5), output transform: Y = A^T M A for each
// tile (lib/device/winograd_transforms.ts writes the arithmetic), from the
// A * A products (A = T + K - 1) m[((xi * G + g) * T + t) * OCG + o] (o the
// output channel within its group, so (g, o) is the output channel
// g * OCG + o); the TxT block lands at rows T * ty, columns T * tx of
// y [N, OC, OH, OW] (what lies past the edge is dropped), through the
// epilogue (bias, ReLU).
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

const TILE: u32 = {{TILE}}u;

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
  let oy = (tile / p.tw) * TILE;
  let ox = (tile % p.tw) * TILE;
  let base = plane * p.oh * p.ow + oy * p.ow + ox;
  // the outputs of this tile inside y
  let rows = min(p.oh - oy, TILE);
  let columns = min(p.ow - ox, TILE);
  // Y = A^T M A, each y[i][j] stored when it lies inside y
{{TRANSFORM}}
}
