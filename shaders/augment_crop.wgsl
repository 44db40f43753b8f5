// Crop, resize and mirror whole batches of images: the geometric
// augmentations (Resize, CenterCrop, RandomCrop with padding,
// RandomResizedCrop, RandomHorizontalFlip, TenCrop) are all this one kernel
// with different boxes.
//
// One invocation computes one output row out[m, c, y, :] of
// [M, C, OH, OW]: output image m samples the box (top, left, box_h, box_w)
// of input image src, in input pixels, with bilinear interpolation as
// PyTorch's interpolate(mode="bilinear", align_corners=False) does on the
// cropped box: source row = max((y + 0.5) * box_h / OH - 0.5, 0), the
// neighbour below clamped to the box's last row (and the same for columns).
// Box pixels outside the input image read `fill` (RandomCrop's padding).
// When flip is set the output is mirrored left to right. A box of the
// output's size is a plain copy (one load per value, exact): crops and flips.
// A row per invocation computes the box and the row weights once; lavapipe
// pays for every load with a non-constant address, so the copy path matters.
//
// Bindings: input [N, C, H, W] f32 (read-only), boxes (read-only, two
// vec4<i32> per output image: (src, top, left, flip), (box_h, box_w, 0, 0)),
// out [M, C, OH, OW] f32, params (uniform).
// Layout: NCHW, row-major. Workgroup: 64 invocations; the grid strides.

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read> boxes: array<vec4<i32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

struct Params {
  rows: u32,    // M * C * OH
  channels: u32,
  height: i32,  // input H
  width: i32,   // input W
  out_h: u32,
  out_w: u32,
  fill: f32,
  _pad: u32,
}

@group(0) @binding(3) var<uniform> params: Params;

fn pixel(plane: u32, row: i32, col: i32) -> f32 {
  if (row < 0 || row >= params.height || col < 0 || col >= params.width) {
    return params.fill;
  }
  return input[plane + u32(row * params.width + col)];
}

// PyTorch's area_pixel_compute_source_index (align_corners=False) and its
// neighbour: the lower index, the upper one (clamped), and the weight of the upper.
fn source_index(dst: u32, box_size: i32, out_size: u32) -> vec3<f32> {
  let scale = f32(box_size) / f32(out_size);
  let real = max(scale * (f32(dst) + 0.5) - 0.5, 0.0);
  let lower = i32(floor(real));
  let upper = min(lower + 1, box_size - 1);
  return vec3<f32>(f32(lower), f32(upper), real - f32(lower));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * 64u;
  for (var row = gid.x + gid.y * stride; row < params.rows; row += stride * nwg.y) {
    let y = row % params.out_h;
    let c = (row / params.out_h) % params.channels;
    let m = row / (params.out_h * params.channels);
    let head = boxes[2u * m];       // (src, top, left, flip)
    let size = boxes[2u * m + 1u];  // (box_h, box_w, -, -)
    let flip = head.w != 0;
    let plane = (u32(head.x) * params.channels + c) * u32(params.height * params.width);
    let base = row * params.out_w;
    let last = params.out_w - 1u;
    if (size.x == i32(params.out_h) && size.y == i32(params.out_w)) {
      let r = head.y + i32(y);
      for (var x = 0u; x < params.out_w; x++) {
        let ox = select(x, last - x, flip);
        out[base + x] = pixel(plane, r, head.z + i32(ox));
      }
      continue;
    }
    let sy = source_index(y, size.x, params.out_h);
    let y0 = head.y + i32(sy.x);
    let y1 = head.y + i32(sy.y);
    for (var x = 0u; x < params.out_w; x++) {
      let sx = source_index(select(x, last - x, flip), size.y, params.out_w);
      let x0 = head.z + i32(sx.x);
      let x1 = head.z + i32(sx.y);
      let top = mix(pixel(plane, y0, x0), pixel(plane, y0, x1), sx.z);
      let bottom = mix(pixel(plane, y1, x0), pixel(plane, y1, x1), sx.z);
      out[base + x] = mix(top, bottom, sy.z);
    }
  }
}
