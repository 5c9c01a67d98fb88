/**
 * Per-command deadlines without a timer per command. Commands sent on one connection with the same timeout
 * expire in the order they were sent, so one timer, armed for the oldest pending command, serves them all:
 * sending a command costs an array push instead of a setTimeout/clearTimeout pair and a Promise.race (a
 * few µs each, a sizeable share of a 100-µs enqueue).
 */

interface Pending {
  at: number;
  done: boolean;
  reject(error: Error): void;
}

export class DeadlineQueue {
  readonly #ms: number;
  readonly #expired: () => Error;
  #pending: Pending[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `expired()` makes the error a command gets when it has not settled within `ms`. */
  constructor(ms: number, expired: () => Error) {
    this.#ms = ms;
    this.#expired = expired;
  }

  /** `promise`, rejected with `expired()` if it has not settled within the deadline. */
  track<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { at: performance.now() + this.#ms, done: false, reject };
      this.#pending.push(entry);
      // The timer never keeps the process alive: a pending command's socket does that.
      if (this.#timer === undefined) this.#timer = setTimeout(() => this.#sweep(), this.#ms).unref();
      promise.then(
        (value) => {
          entry.done = true;
          this.#advance();
          resolve(value);
        },
        (error: unknown) => {
          entry.done = true;
          this.#advance();
          reject(error);
        },
      );
    });
  }

  /** Commands still waiting for a reply (for tests). */
  get size(): number {
    return this.#pending.length - this.#head;
  }

  /** Drop settled commands from the head (replies mostly arrive in order, so this stays O(1)). */
  #advance(): void {
    const pending = this.#pending;
    while (this.#head < pending.length && pending[this.#head]!.done) this.#head++;
    if (this.#head === pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= pending.length) {
      this.#pending = pending.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Reject what is overdue, then sleep until the oldest pending command is due. */
  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (; this.#head < this.#pending.length; this.#head++) {
      const entry = this.#pending[this.#head]!;
      if (entry.done) continue;
      if (entry.at > now) break;
      entry.done = true;
      entry.reject(this.#expired());
    }
    this.#advance();
    const next = this.#pending[this.#head];
    if (next) this.#timer = setTimeout(() => this.#sweep(), Math.max(1, Math.ceil(next.at - now))).unref();
  }
}
