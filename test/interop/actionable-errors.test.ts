/**
 * Errors a user can act on (issue #9, section 4), each checked on its message: a serializer mismatch says
 * which job, which serializer was used and which one the bytes look like; options typed as a shared
 * connection refuse a URL string at run time (it would open a connection nothing closes); a bad id is
 * blamed on the argument the caller passed.
 */
import { describe, expect, it } from 'vitest';
import { DeserializationError, InvalidArgumentError, Job, Queue, setDefaultConnection, withConnection } from '../../src/index.js';
import { privateRedis, uniqueName } from '../helpers/index.js';

const env = privateRedis();
/** Never dialled: every call below must fail before it opens anything. */
const URL = 'redis://127.0.0.1:1/0';

describe('a serializer mismatch', () => {
  it('names the job and the serializer, and says the data looks like JSON', async () => {
    const producer = new Queue(uniqueName('mismatch'), { connection: env.connection, serializer: 'json' });
    const written = await producer.enqueueCall('mylib.add', { args: [1, 2], meta: { owner: 'alice' } });
    const job = await Job.fetch(written.id, { connection: env.connection, serializer: 'pickle' });
    let error: unknown;
    try {
      void job.funcName;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeserializationError);
    expect((error as Error).message).toMatch(new RegExp(`^Job ${written.id}'s data could not be read with serializer 'pickle': `));
    expect((error as Error).message).toContain("The bytes start with '[', which looks like JSON: did the producer use serializer 'json'?");
    await expect(job.meta).rejects.toThrow(`Job ${written.id}'s meta could not be read with serializer 'pickle'`);
    await expect(job.meta).rejects.toThrow("The bytes start with '{', which looks like JSON: did the producer use serializer 'json'?");
  });

  it('says pickled data looks like a pickle when read as JSON', async () => {
    const producer = new Queue(uniqueName('mismatch'), { connection: env.connection });
    const written = await producer.enqueue('mylib.add', 1, 2);
    const job = await Job.fetch(written.id, { connection: env.connection, serializer: 'json' });
    expect(() => job.args).toThrow(new RegExp(`^Job ${written.id}'s data could not be read with serializer 'json': .*The bytes start with '\\\\x80', which looks like pickle: did the producer use serializer 'pickle'\\?$`));
  });
});

describe('a URL where a shared connection is expected', () => {
  const refusal = /^Invalid connection \("redis:\/\/127\.0\.0\.1:1\/0"\): expected a Connection or a node-redis client, not a URL: nothing would close the connection a URL opens here; open one with connect\(url\) and pass that$/;

  it('is refused by Job.fetch, Job.fetchMany and Job.exists', async () => {
    await expect(Job.fetch('some-id', { connection: URL as never })).rejects.toThrow(refusal);
    await expect(Job.fetchMany(['a', 'b'], { connection: URL as never })).rejects.toThrow(refusal);
    await expect(Job.exists('some-id', { connection: URL as never })).rejects.toThrow(refusal);
  });

  it('is refused by Queue.all, withConnection and setDefaultConnection', async () => {
    await expect(Queue.all({ connection: URL as never })).rejects.toThrow(refusal);
    expect(() => withConnection(URL as never, () => 1)).toThrow(refusal);
    expect(() => setDefaultConnection(URL as never)).toThrow(refusal);
    const error = (() => {
      try {
        withConnection(URL as never, () => 1);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('a bad id', () => {
  it('is blamed on `id` by queue.fetchJob and Job.fetch, and nothing is read', async () => {
    const queue = new Queue(uniqueName('ids'), { connection: env.connection });
    await expect(queue.fetchJob(42 as never)).rejects.toThrow(/^Invalid id \(42\): job ids may contain only letters/);
    await expect(Job.fetch(42 as never, { connection: env.connection })).rejects.toThrow(/^Invalid id \(42\): /);
    // fetchMany names the position in the list it was given.
    await expect(Job.fetchMany(['ok', 42 as never], { connection: env.connection })).rejects.toThrow(/^Invalid ids\[1\] \(42\): /);
  });
});
