/**
 * rqts as users run it: `src/` transpiled to plain JavaScript (lib/transpile.ts) and imported from there,
 * so the numbers are not those of tsx's on-the-fly transform (esbuild's keepNames wraps every closure rqts
 * makes per job in a `__name()` call, a few % of the enqueue path). BullMQ, ioredis and node-redis come
 * from node_modules as they are. Types come from the sources.
 */
import { pathToFileURL } from 'node:url';
import type * as Rqts from '../../src/index.js';
import { builtPath, transpileForChild } from './transpile.js';

/** The no-op task module the Node worker's isolated executors import (plain JS, beside the built sources). */
export const [NOOP_TASK_MODULE] = transpileForChild(['bench/lib/noop-task.ts']) as [string];
const rqts = (await import(pathToFileURL(builtPath('src/index.ts')).href)) as typeof Rqts;

export const { Connection, Queue, Worker } = rqts;
export type Connection = Rqts.Connection;
export type Queue = Rqts.Queue;
export type Worker = Rqts.Worker;
export type EnqueueData = Rqts.EnqueueData;
