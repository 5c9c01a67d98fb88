/**
 * The pickler's output buffer with CPython's framing (protocol 4+): a frame is opened by the first write
 * after a commit, closed at the next opcode boundary once it holds 64 KiB, and dropped (header removed)
 * when it ends up shorter than 4 bytes. Payloads of 64 KiB or more bypass framing entirely. This mirrors
 * `_Pickler_Write`, `_Pickler_CommitFrame`, `_Pickler_OpcodeBoundary` and `_Pickler_write_bytes`.
 */
import { FRAME_HEADER_SIZE, FRAME_SIZE_MIN, FRAME_SIZE_TARGET, OP } from './opcodes.js';
import { grow } from '../../grow.js';

export class PickleWriter {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;
  private frameStart = -1;
  /** True from the PROTO header on, for protocol 4 and later. */
  framing = false;

  /** Append raw bytes, opening a frame first when framing and no frame is open. */
  write(data: Uint8Array | readonly number[]): void {
    const n = data.length;
    const needFrame = this.framing && this.frameStart === -1;
    this.reserve(n + (needFrame ? FRAME_HEADER_SIZE : 0));
    if (needFrame) {
      this.frameStart = this.len;
      this.buf.fill(0xfe, this.len, this.len + FRAME_HEADER_SIZE);
      this.len += FRAME_HEADER_SIZE;
    }
    if (data instanceof Uint8Array) this.buf.set(data, this.len);
    else for (let i = 0; i < n; i++) this.buf[this.len + i] = data[i]!;
    this.len += n;
  }

  /** One opcode byte. */
  op(code: number): void {
    this.write([code]);
  }

  /** An opcode followed by an ASCII text argument (protocol 0 style, already including `\n`). */
  text(code: number, arg: string): void {
    this.write(Buffer.from(String.fromCharCode(code) + arg, 'latin1'));
  }

  /** A length-prefixed payload: large ones are written outside any frame, as CPython does. */
  writeBytes(header: Uint8Array | readonly number[], payload: Uint8Array): void {
    const bypass = payload.length >= FRAME_SIZE_TARGET;
    const framing = this.framing;
    if (bypass) {
      this.commitFrame();
      this.framing = false;
    }
    this.write(header);
    this.write(payload);
    this.framing = framing;
  }

  /** Called before each object is saved: close the frame once it is big enough. */
  opcodeBoundary(): void {
    if (!this.framing || this.frameStart === -1) return;
    if (this.len - this.frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) this.commitFrame();
  }

  commitFrame(): void {
    if (!this.framing || this.frameStart === -1) return;
    const start = this.frameStart;
    const frameLen = this.len - start - FRAME_HEADER_SIZE;
    if (frameLen >= FRAME_SIZE_MIN) {
      this.buf[start] = OP.FRAME;
      this.buf.writeBigUInt64LE(BigInt(frameLen), start + 1);
    } else {
      this.buf.copyWithin(start, start + FRAME_HEADER_SIZE, this.len);
      this.len -= FRAME_HEADER_SIZE;
    }
    this.frameStart = -1;
  }

  /** Close any open frame and return a copy of the output. */
  finish(): Buffer {
    this.commitFrame();
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  private reserve(extra: number): void {
    if (this.len + extra > this.buf.length) this.buf = grow(this.buf, this.len, this.len + extra);
  }
}
