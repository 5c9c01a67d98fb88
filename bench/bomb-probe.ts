// One-off probe: a 2 GiB zlib bomb through the payload and traceback decoders (time, peak RSS).
import { createDeflate, constants } from 'node:zlib';
import { decodePayload } from '../src/payload.js';
import { decodeTraceback } from '../src/record.js';
import { pickleSerializer } from '../src/serializers/index.js';
async function bomb(bytes: number): Promise<Buffer> {
  const d = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  d.on('data', (c: Buffer) => chunks.push(c));
  const zero = Buffer.alloc(16 * 1024 * 1024);
  for (let n = 0; n < bytes; n += zero.length) if (!d.write(zero)) await new Promise((r) => d.once('drain', r));
  await new Promise((r) => d.end(r));
  return Buffer.concat(chunks);
}
const b = await bomb(2 * 1024 ** 3);
global.gc?.();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const iv = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
for (const [name, fn] of [['data', () => decodePayload(pickleSerializer, b)], ['traceback', () => decodeTraceback(b)]] as const) {
  const t = performance.now();
  try { fn(); } catch (e) { console.log(name, (e as Error).name, (e as Error).message.slice(0, 80)); }
  console.log(name, 'bomb', b.length, 'bytes; failed after', (performance.now() - t).toFixed(0), 'ms; rss', (process.memoryUsage().rss / 1e6).toFixed(0), 'MB (start', (rss0 / 1e6).toFixed(0), ')');
}
clearInterval(iv);
