/** `rqts info`: queue sizes and registry counts, as a table or JSON. */
import { Queue } from '../index.js';
import { plural, type Command, type Context, type Output } from './common.js';

export interface InfoOptions extends Context {
  /** Queue names; every known queue (`rq:queues`) when empty. */
  queues: string[];
  json: boolean;
}

export interface QueueInfo {
  name: string;
  /** Jobs waiting in the queue. */
  count: number;
  started: number;
  finished: number;
  failed: number;
  deferred: number;
  scheduled: number;
  canceled: number;
}

const COLUMNS = ['count', 'started', 'finished', 'failed', 'deferred', 'scheduled', 'canceled'] as const;

/** Read the counts of the given queues (all queues when none are given). */
export async function queueInfo({ connection, serializer, queues: names }: Omit<InfoOptions, 'json'>): Promise<QueueInfo[]> {
  const queues = names.length > 0 ? names.map((name) => new Queue(name, { connection, serializer })) : await Queue.all({ connection, serializer });
  return Promise.all(
    queues.map(async (q) => {
      const [count, started, finished, failed, deferred, scheduled, canceled] = await Promise.all([
        q.count,
        q.startedJobRegistry.count,
        q.finishedJobRegistry.count,
        q.failedJobRegistry.count,
        q.deferredJobRegistry.count,
        q.scheduledJobRegistry.count,
        q.canceledJobRegistry.count,
      ]);
      return { name: q.name, count, started, finished, failed, deferred, scheduled, canceled };
    }),
  );
}

export async function info(options: InfoOptions, io: Output): Promise<number> {
  const rows = await queueInfo(options);
  if (options.json) {
    io.out(JSON.stringify({ queues: rows }));
    return 0;
  }
  const header = ['queue', 'queued', ...COLUMNS.slice(1)];
  const table = [header, ...rows.map((r) => [r.name, ...COLUMNS.map((c) => String(r[c]))])];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  for (const cells of table) {
    io.out(cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  }
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  io.out(`${plural(rows.length, 'queue')}, ${plural(total, 'job')} total`);
  return 0;
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'queue sizes and registry counts',
  usage: `Usage: rqts info [options] [queue...]

Show every queue (or the given ones): jobs waiting, and the counts of its started, finished, failed,
deferred, scheduled and canceled registries.

Options:
  --json                   print {"queues":[{"name","count","started","finished","failed","deferred",
                           "scheduled","canceled"}]} on one line`,
  options: { json: { type: 'boolean' } },
  prepare: (values, positionals) => (context, io) => info({ ...context, queues: positionals, json: values.json === true }, io),
};
