/** The no-op task as a module, so isolated executors (threads, processes) can import it and find it by name. */
import { job } from '../../src/index.js';

export const noop = job({ name: 'mylib.noop' })(() => null);
