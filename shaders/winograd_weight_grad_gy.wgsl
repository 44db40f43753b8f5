// Winograd F(KxK, TxT) (T = 2 or 4, K = 3 or 5) for the weight gradient, transform of
// the output gradient: for each TxT tile h of gy (rows T * ty, columns
// T * tx; zeros past the edge, so that partial tiles add nothing),
// U = A h A^T with A the transpose of F(TxT, KxK)'s A^T
// (lib/device/winograd_transforms.ts writes the arithmetic), written as
// A * A matrices (A = T + K - 1; one per element xi of U), each [OC][T] (per
// group [G][OCG][T]) with the tiles along the GEMM's k, contiguous:
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

const TILE: u32 = {{TILE}}u;

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
  let oy = (tile / p.tw) * TILE;
  let ox = (tile % p.tw) * TILE;
  let base = plane * p.oh * p.ow + oy * p.ow + ox;
  let rows = min(p.oh - oy, TILE);
  let columns = min(p.ow - ox, TILE);
  var h: array<f32, {{TILE_SQUARED}}>;
  // constant trip counts, so that the loops unroll and h stays in registers
  for (var i = 0u; i < TILE; i++) {
    for (var j = 0u; j < TILE; j++) {
      if (i < rows && j < columns) {
        h[i * TILE + j] = gy[base + i * p.ow + j];
      }
    }
  }
  let stride = p.count; // OC * T between consecutive xi
  // U = A h A^T; xi = row * A + column
{{TRANSFORM}}
}
