/**
 * Per-file fixtures: a private redis-server and an open rqts Connection to it, created in beforeAll and
 * torn down in afterAll. Read them inside tests/hooks (`env.connection`), not at module level.
 */
import { afterAll, beforeAll } from 'vitest';
import { Connection } from '../../src/connection.js';
import { startRedis, type RedisServer } from './redis-server.js';

export interface RedisEnv {
  readonly redis: RedisServer;
  readonly connection: Connection;
}

export function privateRedis(): RedisEnv {
  const env = {} as { redis: RedisServer; connection: Connection };
  beforeAll(async () => {
    env.redis = await startRedis();
    env.connection = await Connection.from(env.redis.url).open();
  });
  afterAll(async () => {
    await env.connection?.close();
    await env.redis?.stop();
  });
  return env;
}
