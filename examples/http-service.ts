/**
 * An HTTP service (Fastify) that enqueues jobs for Python workers and reports on them:
 *
 *   POST /jobs      { "x": 1, "y": 2 }  →  202 { "id": "…" }       enqueues mylib.add(x, y)
 *   GET  /jobs/:id                      →  200 { "status": "finished", "result": 3 }, or 404
 *
 *   npx tsx examples/http-service.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 *
 * Run as a script, it starts the server on a free port, calls itself with fetch() the way a client would
 * (enqueue, then poll until the job has finished), checks the answers and stops. `buildServer` is what a
 * real service would export; the tests use it too.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { connect, Queue, type ConnectionLike } from '../src/index.js';

// #region server
/** The service. The connection is the caller's: open it once per process and close it on shutdown. */
export function buildServer(connection: ConnectionLike): FastifyInstance {
  const queue = new Queue('default', { connection });
  const app = Fastify();

  app.post<{ Body: { x: number; y: number } }>(
    '/jobs',
    {
      schema: {
        body: {
          type: 'object',
          required: ['x', 'y'],
          additionalProperties: false,
          properties: { x: { type: 'number' }, y: { type: 'number' } },
        },
      },
    },
    async (request, reply) => {
      const job = await queue.enqueue('mylib.add', request.body.x, request.body.y);
      return reply.code(202).send({ id: job.id });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    // Job ids are [A-Za-z0-9_-]+; anything else is a 400 before Redis is asked.
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' } } } } },
    async (request, reply) => {
      const job = await queue.fetchJob<number>(request.params.id); // null: unknown, expired, or another queue's
      if (!job) return reply.code(404).send({ error: 'no such job' });
      return { status: await job.status, result: await job.result };
    },
  );

  return app;
}
// #endregion server

/** Start the service, use it over HTTP like a client, stop it. */
async function main(): Promise<void> {
  await using connection = await connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  const app = buildServer(connection);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`listening on ${base}`);
  try {
    const created = await fetch(`${base}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 20, y: 22 }),
    });
    assert.equal(created.status, 202);
    const { id } = (await created.json()) as { id: string };
    console.log(`POST /jobs → 202 ${JSON.stringify({ id })}`);

    let body: { status: string; result: unknown } | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
      body = (await (await fetch(`${base}/jobs/${id}`)).json()) as typeof body;
      if (body?.status === 'finished' || body?.status === 'failed') break;
    }
    console.log(`GET /jobs/${id} → ${JSON.stringify(body)}`); // {"status":"finished","result":42}
    assert.deepEqual(body, { status: 'finished', result: 42 });

    const invalid = await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    console.log(`POST /jobs {"x":1} → ${invalid.status}`);
    assert.equal(invalid.status, 400);
    const unknown = await fetch(`${base}/jobs/no-such-job`);
    console.log(`GET /jobs/no-such-job → ${unknown.status}`);
    assert.equal(unknown.status, 404);
  } finally {
    await app.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
