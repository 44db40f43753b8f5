// Bytes to floats: ToTensor of a batch uploaded as bytes (a quarter of the
// transfer of float32 values).
//
// One invocation computes one output value out[i] = byte i * scale, where
// byte i is byte (i % 4) of word i / 4, little-endian (as the host packed it).
//
// Bindings: bytes (read-only array<u32>), out (f32), params (uniform).
// Layout: whatever the bytes hold (NCHW images); the output has the same order.
// Workgroup: 64 invocations; the grid strides.

@group(0) @binding(0) var<storage, read> bytes: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

struct Params {
  total: u32,
  scale: f32,
}

@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * 64u;
  for (var i = gid.x + gid.y * stride; i < params.total; i += stride * nwg.y) {
    let word = bytes[i / 4u];
    out[i] = f32((word >> ((i % 4u) * 8u)) & 0xffu) * params.scale;
  }
}
