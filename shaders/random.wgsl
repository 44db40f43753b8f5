// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel
// random numbers: as easy as 1, 2, 3", SC 2011).
//
// One invocation i hashes the counter (i, offset_lo, offset_hi, 0) under the
// key (seed_lo, seed_hi) into four u32 and writes outputs 4i..4i+3:
//   UNIFORM: low + (high - low) * u, with u in [0, 1) from the top 24 bits
//   NORMAL:  mean + std * z, z standard normal by Box-Muller on pairs
// The same seed, offset and size give the same bits of u on every adapter;
// NORMAL's log, sqrt and cos may round differently between adapters, and a
// draw larger than one binding runs in ranges with an offset each, so its
// numbers also depend on the adapter's binding limit.
//
// Bindings: out (read_write), params (uniform).

@group(0) @binding(0) var<storage, read_write> out: array<f32>;

struct Params { n: u32, seed_lo: u32, seed_hi: u32, offset_lo: u32, offset_hi: u32, _pad0: u32, a: f32, b: f32 }
@group(0) @binding(1) var<uniform> params: Params;

const NORMAL: bool = {{NORMAL}};

// High and low 32 bits of a 32x32-bit product (WGSL has no mulhi).
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let mid1 = a_hi * b_lo;
  let mid2 = a_lo * b_hi;
  let carry = ((lo_lo >> 16u) + (mid1 & 0xffffu) + (mid2 & 0xffffu)) >> 16u;
  let hi = a_hi * b_hi + (mid1 >> 16u) + (mid2 >> 16u) + carry;
  return vec2<u32>(hi, a * b);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0; round < 10; round++) {
    let p0 = mul_wide(0xD2511F53u, c.x);
    let p1 = mul_wide(0xCD9E8D57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k += vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

fn unit(bits: u32) -> f32 {
  return f32(bits >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i * 4u >= params.n) { return; }
  let r = philox(vec4<u32>(i, params.offset_lo, params.offset_hi, 0u), vec2<u32>(params.seed_lo, params.seed_hi));
  var v = vec4<f32>(unit(r.x), unit(r.y), unit(r.z), unit(r.w));
  if (NORMAL) {
    // Box-Muller; 1 - u keeps the log's argument in (0, 1].
    let two_pi = 6.283185307179586;
    let r0 = sqrt(-2.0 * log(1.0 - v.x));
    let r1 = sqrt(-2.0 * log(1.0 - v.z));
    v = vec4<f32>(r0 * cos(two_pi * v.y), r0 * sin(two_pi * v.y), r1 * cos(two_pi * v.w), r1 * sin(two_pi * v.w));
    v = params.a + params.b * v;
  } else {
    v = params.a + (params.b - params.a) * v;
  }
  for (var j = 0u; j < 4u; j++) {
    if (i * 4u + j < params.n) { out[i * 4u + j] = v[j]; }
  }
}
