/**
 * The task registry: JS functions registered under a `func_name` by `job()`, looked up by the Node worker.
 * A module of its own so the worker does not import the decorator (and with it Queue and the default
 * connection) just to resolve a handler.
 */
import { InvalidArgumentError } from './errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => any;

const registry = new Map<string, AnyFunction>();

/** The JS function registered under a `func_name`, if any (what a Node worker runs for that name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getRegisteredTask(funcName: string): ((...args: any[]) => any) | undefined {
  return registry.get(funcName);
}

/** Every registered JS task name. */
export function registeredTaskNames(): string[] {
  return [...registry.keys()];
}

/** Registers `fn` under `name`; the same function twice is fine, another function under a taken name is not. */
export function registerTask(name: string, fn: AnyFunction): void {
  const existing = registry.get(name);
  if (existing && existing !== fn) {
    throw new InvalidArgumentError('name', name, 'another function is already registered under this name; pass a distinct { name }');
  }
  registry.set(name, fn);
}
