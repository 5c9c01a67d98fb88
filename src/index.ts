// rqts — a TypeScript SDK for Python RQ queues.
// Public exports only; everything else is internal. The CLI and the worker import internals from their
// modules directly, and the build's stripInternal option keeps members tagged internal out of the .d.ts.
// (A plain comment on purpose: a doc comment here would attach to the first export below.)
export { Queue, type QueueOptions, type EnqueueCallOptions, type EnqueueData } from './queue.js';
export { JobRegistry } from './registries.js';
export { type WebhookRecord } from './record.js';
export { Retry, type RetryOptions } from './retry.js';
export { Repeat, type RepeatOptions } from './repeat.js';
export { Webhook, type WebhookOptions } from './webhook.js';
export { Callback, type CallbackLike } from './callbacks.js';
export { Dependency, type DependencyOptions, type DependsOn, type JobRef } from './dependencies.js';
export { release, type ReleaseResult } from './deferred.js';
export { type WaitOptions } from './waiter.js';
export { resultOf, ResultRef } from './dataflow.js';
export {
  Group,
  PendingGroup,
  PendingJob,
  REDUCE_FAN_IN,
  type GroupResultsOptions,
  type MapOptions,
} from './groups.js';
export { Worker, type WorkerOptions } from './worker/worker.js';
export { WorkerInfo, sendShutdownCommand, sendKillHorseCommand, type WorkerInfoOptions } from './worker/info.js';
export { getCurrentJob, type CurrentJob, type Handler, type Isolation } from './worker/execute.js';
export { suspend, resume, isSuspended } from './suspension.js';
export {
  CronScheduler,
  CronJob,
  cron,
  getCronJobIds,
  getCronJobNames,
  type CronSchedulerInfo,
  type CronJobInfo,
  type CronSchedulerOptions,
  type CronJobOptions,
  type CronJobSpec,
  type CronFunc,
  type CronLogger,
} from './cron.js';
export {
  job,
  setDefaultConnection,
  withConnection,
  type Task,
  type TaskOptions,
  type TaskFunction,
  type TaskWrapper,
  type CallOptions,
} from './decorator.js';
export { getRegisteredTask } from './tasks.js';
export { Job, type JobContext } from './job.js';
export { type Result } from './results.js';
export {
  Connection,
  connect,
  type ConnectionLike,
  type SharedConnection,
  type ConnectionOptions,
  type TlsOptions,
  type SentinelTarget,
  type RedisClient,
  type RedisPipeline,
} from './connection.js';
export { JobStatus, ResultType, Defaults, CronDefaults, WorkerState, DataflowEntry, DataflowMarker } from './protocol.js';
export { type Duration } from './validate.js';
export { configureTelemetry, type TelemetryOptions } from './telemetry-config.js';
export {
  RqtsError,
  JobError,
  InvalidArgumentError,
  DeserializationError,
  NoSuchJobError,
  NoSuchWorkerError,
  DuplicateJobError,
  InvalidOperationError,
  JobFailedError,
  JobStoppedError,
  JobCanceledError,
  WaitTimeoutError,
  ConnectionError,
  RedisReplyError,
  AuthenticationError,
  PermissionError,
  PartialEnqueueError,
  ParentJobError,
  NoSuchGroupError,
  GroupFailedError,
} from './errors.js';
export { type Serializer, type SerializerLike } from './serializers/serializer.js';
export { resolveSerializer, pickleSerializer, jsonSerializer, superjsonSerializer } from './serializers/index.js';
export {
  py,
  isTuple,
  PyObject,
  PyFloat,
  PyByteArray,
  PyFrozenSet,
  PyDate,
  PyTime,
  PyTimedelta,
  PyDecimal,
  PyUUID,
  PyGlobal,
  type PyTuple,
  type TupleFactory,
  type PyObjectKind,
} from './py/values.js';
