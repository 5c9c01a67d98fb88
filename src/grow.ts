/**
 * Growing the scratch buffers the encoders write into (the pickler, the payload's direct writer, the
 * MessagePack packer).
 */

/** A buffer of at least `needed` bytes starting with the first `used` bytes of `buf`, doubling its size. */
export function grow(buf: Buffer, used: number, needed: number): Buffer<ArrayBuffer> {
  let size = Math.max(buf.length, 1) * 2;
  while (size < needed) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, used);
  return next;
}
