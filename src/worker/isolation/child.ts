/**
 * The entry of an isolated executor (a `worker_threads` thread or a child process): it imports the worker's
 * task modules (they register their tasks with `job()`), then runs one job at a time as the parent asks and
 * answers with the encoded result or RQ's failure text. The parent kills it to halt a job.
 */
import { parentPort } from 'node:worker_threads';
import { Connection } from '../../connection.js';
import { resolveInvocation, toWire } from '../../dataflow.js';
import { Job } from '../../job.js';
import { recordFromFields } from '../../record.js';
import { resolveSerializer } from '../../serializers/index.js';
import { describeError, encodeResult, Halt, JobOutcomeError, resolveHandler, runHandler, unknownFunction } from '../execute.js';
import type { ChildReply, ParentMessage } from './messages.js';

const send = (message: ChildReply): void => {
  if (parentPort) parentPort.postMessage(message);
  else process.send!(message);
};

let serializerName = 'pickle';
let connection: Connection | null = null;
/** Never aborts: the parent halts a job by ending this executor. */
const never = new Halt();

async function init(message: Extract<ParentMessage, { type: 'init' }>): Promise<void> {
  serializerName = message.serializer;
  // Lazily connected: only a task that touches Redis (saveMeta, …) opens it.
  connection = Connection.from(message.redisUrl);
  try {
    for (const module of message.modules) await import(module);
    send({ type: 'ready' });
  } catch (error) {
    send({ type: 'init-failed', error: describeError(error) });
  }
}

async function run(message: Extract<ParentMessage, { type: 'run' }>): Promise<void> {
  const serializer = resolveSerializer(serializerName);
  try {
    const fields = new Map(message.fields.map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]));
    const job = Job.fromRecord(recordFromFields(message.jobId, fields), connection!, serializer);
    // resultOf() arguments are replaced by their jobs' values; chunked-map jobs call the target per item.
    const call = await resolveInvocation(job, (name) => resolveHandler(name, {}));
    if (!call.handler) throw new JobOutcomeError('failure', unknownFunction(call.funcName));
    const value = await runHandler(call.handler, job, 0, never, call.args);
    send({ type: 'done', jobId: message.jobId, ok: true, value: encodeResult(serializer, toWire(value)) });
  } catch (error) {
    const excString = error instanceof JobOutcomeError ? error.excString : describeError(error);
    send({ type: 'done', jobId: message.jobId, ok: false, excString });
  }
}

const onMessage = (message: ParentMessage): void => {
  if (message.type === 'init') void init(message);
  else if (message.type === 'run') void run(message);
};
if (parentPort) parentPort.on('message', onMessage);
else process.on('message', onMessage as (m: unknown) => void);
