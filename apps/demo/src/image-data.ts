// The image sets shipped with the demo: raw 28x28 grey bytes (gzip-compressed where large) and one
// label byte per image. Every length is checked against the count the page expects before a tensor is
// made, so a truncated or swapped file gives an error naming it rather than garbage.

/** The bytes at `url`, gunzipped when the name ends in .gz (DecompressionStream: works offline). */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  if (!url.endsWith('.gz')) return new Uint8Array(await response.arrayBuffer());
  const stream = response.body!.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface ShippedImages {
  count: number;
  /** count x 784 bytes, row-major. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Checks that images and labels describe `count` 28x28 images with labels 0-9. */
export function checkImages(
  pixels: Uint8Array,
  labels: Uint8Array,
  count: number,
  name: string,
): ShippedImages {
  if (pixels.length !== count * 784)
    throw new Error(`${name}: ${pixels.length} image bytes, expected ${count} x 784 = ${count * 784}`);
  if (labels.length !== count) throw new Error(`${name}: ${labels.length} labels, expected ${count}`);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${name}: label ${bad} is ${labels[bad]}, not a class 0-9`);
  return { count, pixels, labels };
}

/** Fetches `<base>-images.bin[.gz]` and `<base>-labels.bin` and checks them. */
export async function loadImages(base: string, count: number, { gzip = true } = {}): Promise<ShippedImages> {
  const [pixels, labels] = await Promise.all([
    fetchBytes(`${base}-images.bin${gzip ? '.gz' : ''}`),
    fetchBytes(`${base}-labels.bin`),
  ]);
  return checkImages(pixels, labels, count, base);
}
