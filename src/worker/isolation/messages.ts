/** Messages between the worker and its isolated executors (structured clone over postMessage / IPC). */

export type ParentMessage =
  /** Sent once: import these task modules (file URLs), decode with this serializer, use this Redis. */
  | { type: 'init'; modules: string[]; serializer: string; redisUrl: string }
  /** Run one job; `fields` is its hash as HGETALL returned it. */
  | { type: 'run'; jobId: string; fields: [string, Uint8Array][] };

export type ChildReply =
  | { type: 'ready' }
  | { type: 'init-failed'; error: string }
  /** `value` is the base64 result ('' for None); `excString` RQ's failure text. */
  | { type: 'done'; jobId: string; ok: true; value: string }
  | { type: 'done'; jobId: string; ok: false; excString: string };
