/**
 * Compile-time checks of job() typing: `npm run typecheck` (and so CI) fails if any line marked
 * @ts-expect-error compiles, or if a correct line does not. Never executed.
 */
import { job, Queue, type Job } from '../../src/index.js';

declare const connection: string;

const add = job<[x: number, y: number], number>('mylib.add', { connection });
export const ok: Promise<Job<number>> = add.delay(1, 2);
export const okWith: Promise<Job<number>> = add.delayWith({ jobId: 'a', atFront: true }, 1, 2);
export async function typedResult(): Promise<number> {
  const j = await add.delay(1, 2);
  const viaWait: number = await j.wait();
  const viaResult: number | null = await j.result;
  return viaWait + (viaResult ?? 0);
}

// @ts-expect-error a string where a number is declared
add.delay('1', 2);
// @ts-expect-error too few arguments
add.delay(1);
// @ts-expect-error too many arguments
add.delay(1, 2, 3);
// @ts-expect-error the result is a number, not a string
export const wrong: Promise<Job<string>> = add.delay(1, 2);
// @ts-expect-error unknown option
job('mylib.add', { jobtimeout: 5 });
// @ts-expect-error wrong option type
job('mylib.add', { atFront: true });

export const resize = job({ queue: 'images', connection })(async function resize(url: string, width: number): Promise<string> {
  return `${url}@${width}`;
});
export const direct: Promise<string> = resize('a.png', 100);
export const delayed: Promise<Job<string>> = resize.delay('a.png', 100);
// @ts-expect-error width must be a number
resize.delay('a.png', '100');

export class Tasks {
  @job({ queue: 'node', connection })
  static async thumbnail(url: string): Promise<number> {
    return url.length;
  }
}
export const stillCallable: Promise<number> = Tasks.thumbnail('x');

export const many = new Queue('q', { connection }).enqueueMany([add.prepareData(1, 2)]);
// @ts-expect-error prepareData checks arguments too
add.prepareData(1, 'x');

// Any node-redis client is accepted, whatever its RESP version or modules.
import { createClient } from 'redis';
export const resp2 = new Queue('q', { connection: createClient({ RESP: 2 }) });
export const resp3 = new Queue('q', { connection: createClient({ RESP: 3 }) });
export const plain = new Queue('q', { connection: createClient() });

// Durations: seconds, or RQ's '30s' / '5m' / '1h' / '2d' strings.
export const durations = [add.enqueueIn(30, 1, 2), add.enqueueIn('30s', 1, 2), add.enqueueIn('90', 1, 2), add.delayWith({ jobTimeout: '3m' }, 1, 2)];
// @ts-expect-error not an RQ duration string
add.enqueueIn('3 minutes', 1, 2);
// @ts-expect-error not an RQ duration string
add.delayWith({ jobTimeout: '3 min' }, 1, 2);
