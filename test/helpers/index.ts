/** The interop rig: private Redis servers, the installed Python RQ versions, and real RQ processes. */
export { startWorker, type WorkerProcess } from './rq.js';
export { startRedis, freePort, type RedisServer, type StartRedisOptions } from './redis-server.js';
export {
  rqVersions,
  rqVersion,
  runWorker,
  runPython,
  runPythonJson,
  rqInfo,
  hasTraceback,
  type RqInstall,
  type PySerializer,
  type RunWorkerOptions,
  type WorkerRun,
  type RunPythonOptions,
  type PythonRun,
  type RqInfoOptions,
} from './rq.js';
export { uniqueName } from './names.js';
export { privateRedis, type RedisEnv } from './fixtures.js';
export { REPO_ROOT, PYTHON_DIR } from './paths.js';
export { until } from './until.js';
export { waitFor, type WaitForOptions } from './wait.js';
export { expectExpiry, expiresAtMs, redisNowMs, timeWindow, type TimeWindow } from './ttl.js';
