/**
 * The one bounded queue in front of the shared model: `workers` tasks run at once, at most `capacity` wait, and
 * anything beyond that is refused at once with 503 SERVICE_UNAVAILABLE and a retry estimate, so overload turns into
 * fast, honest refusals instead of unbounded memory and latency.
 */
import { EarshotError } from '../errors.ts';

interface Waiting {
  start: () => void;
  cancel: (reason: unknown) => void;
}

export class InferenceQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  /** Moving average of task seconds, for retry_after. */
  private averageSeconds = 2;

  constructor(
    readonly workers: number,
    readonly capacity: number,
  ) {}

  get depth(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  /** True when a new task would be refused; lets routes refuse before reading an upload. */
  get full(): boolean {
    return this.running >= this.workers && this.waiting.length >= this.capacity;
  }

  /** Seconds a client should wait before retrying, from the backlog and recent task times (1..30 s). */
  retryAfter(): number {
    const backlog = (this.waiting.length + this.running) / Math.max(1, this.workers);
    return Math.min(30, Math.max(1, Math.ceil(backlog * this.averageSeconds)));
  }

  unavailable(): EarshotError {
    const retryAfter = this.retryAfter();
    return new EarshotError('SERVICE_UNAVAILABLE', 'No ASR workers available, the queue is full', {
      retry_after: retryAfter,
    });
  }

  /**
   * Runs `task` when a worker is free; throws SERVICE_UNAVAILABLE at once when the queue is full, unless the work was
   * `admitted` earlier (a callback job promised to its client before its download finished).
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal, admitted = false): Promise<T> {
    if (this.full && !admitted) throw this.unavailable();
    if (this.running >= this.workers) await this.wait(signal);
    else this.running++;
    const started = performance.now();
    try {
      return await task();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.averageSeconds = this.averageSeconds * 0.8 + seconds * 0.2;
      this.next();
    }
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new EarshotError('CANCELLED'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Hands the finished task's worker slot straight to the next waiter (so `running` never dips and races). */
  private next(): void {
    const entry = this.waiting.shift();
    if (entry) entry.start();
    else this.running--;
  }
}
