/**
 * A small PNG encoder (8-bit grey, RGB or RGBA, no filtering), enough to
 * show tensors and draw the kernel's logo without a dependency.
 * Spec: https://www.w3.org/TR/png/
 */

/** Channels per pixel: 1 grey, 3 RGB, 4 RGBA. */
export type Channels = 1 | 3 | 4;

const COLOR_TYPE: Record<Channels, number> = { 1: 0, 3: 2, 4: 6 };

/**
 * Encodes pixels as a PNG file.
 *
 * @param pixels row-major bytes, `channels` per pixel
 * @param width image width
 * @param height image height
 * @param channels 1, 3 or 4
 * @returns the PNG bytes
 * @throws {RangeError} when the pixel count does not match the size
 */
export async function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: Channels,
): Promise<Uint8Array> {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `Cannot encode a ${width}x${height}x${channels} PNG from ${pixels.length} bytes`,
    );
  }
  // Each row starts with its filter type; 0 (none) keeps this short.
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    raw.set(
      pixels.subarray(y * stride, (y + 1) * stride),
      y * (stride + 1) + 1,
    );
  }
  // CompressionStream's "deflate" is the zlib format that PNG's IDAT wants.
  const compressed = new Uint8Array(
    await new Response(
      new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate")),
    ).arrayBuffer(),
  );
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOR_TYPE[channels];
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", compressed),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
