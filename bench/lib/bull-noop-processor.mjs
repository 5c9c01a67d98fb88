// BullMQ's sandboxed processor for the worker benchmark: a no-op, run in BullMQ's pooled child process.
export default async function noop() {
  return null;
}
