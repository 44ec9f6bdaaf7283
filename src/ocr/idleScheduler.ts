/**
 * Two kinds of work on one machine: foreground work (embedding, which a person is
 * waiting for) runs at once; background work (OCR) runs one task at a time, and only
 * while no foreground work is running or waiting. A background task that has started
 * is not interrupted (one image takes a fraction of a second), but none starts while
 * foreground work is in flight, so a long OCR backlog never delays an embedding.
 * The backlog is bounded: past it, background work is refused rather than queued
 * without end (`/reindex` fills in what was refused).
 */

/** The background queue is full; the task was not queued. */
export class BacklogFullError extends Error {
  override readonly name = 'BacklogFullError';

  constructor(readonly limit: number) {
    super(`the background queue is full (${limit} tasks waiting)`);
  }
}

/** The scheduler was closed; queued background tasks are dropped with this. */
export class SchedulerClosedError extends Error {
  override readonly name = 'SchedulerClosedError';

  constructor() {
    super('the scheduler is closed');
  }
}

interface Queued {
  work: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface IdleSchedulerOptions {
  /** Background tasks that may wait (default 10,000). */
  maxBacklog?: number;
}

export class IdleScheduler {
  private readonly queue: Queued[] = [];
  private readonly maxBacklog: number;
  private foregroundActive = 0;
  private backgroundRunning = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private startWaiters: Array<() => void> = [];

  constructor(options: IdleSchedulerOptions = {}) {
    this.maxBacklog = options.maxBacklog ?? 10_000;
  }

  /** Background tasks waiting to start. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Background tasks that may wait. */
  get backlogLimit(): number {
    return this.maxBacklog;
  }

  /** Resolves when the next background task starts (the backlog shrinks), or on close. */
  nextTaskStart(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push(resolve));
  }

  /** Runs `work` now; background tasks wait until it and every other foreground task are done. */
  async foreground<T>(work: () => Promise<T>): Promise<T> {
    this.foregroundActive++;
    try {
      return await work();
    } finally {
      this.foregroundActive--;
      this.pump();
    }
  }

  /** Queues `work` to run when the foreground is idle. Throws BacklogFullError when the backlog is full. */
  background<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SchedulerClosedError());
    if (this.queue.length >= this.maxBacklog) return Promise.reject(new BacklogFullError(this.maxBacklog));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  /** Resolves when nothing is queued or running (for orderly shutdown and tests). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new background work and drops what is queued; a running task finishes. */
  close(): void {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new SchedulerClosedError());
    for (const resolve of this.startWaiters.splice(0)) resolve();
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && !this.backgroundRunning && this.foregroundActive === 0;
  }

  private pump(): void {
    // Deferred one turn, so foreground work submitted in the same tick as the
    // completion that freed the queue still goes first.
    setImmediate(() => {
      if (this.backgroundRunning || this.foregroundActive > 0) return this.notifyIdle();
      const task = this.queue.shift();
      if (task === undefined) return this.notifyIdle();
      this.backgroundRunning = true;
      for (const resolve of this.startWaiters.splice(0)) resolve();
      task
        .work()
        .then(task.resolve, task.reject)
        .finally(() => {
          this.backgroundRunning = false;
          this.pump();
        });
    });
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
