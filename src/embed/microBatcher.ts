export interface MicroBatcherOptions {
  /** Most items run together in one call. */
  maxBatch: number;
  /** How long the first waiting item may wait for company before its batch runs anyway. */
  maxWaitMs: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent single-item requests into batches for a function that is
 * cheaper per item in bulk (a model forward pass). One batch runs at a time: the
 * model already uses every core, and items that arrive meanwhile form the next batch.
 */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (!(options.maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
  }

  get pending(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('The encoder has been shut down.'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Rejects what is still queued; a batch already running finishes. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    const dropped = this.queue.splice(0);
    for (const pending of dropped) pending.reject(new Error('The encoder has been shut down.'));
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxBatch || this.options.maxWaitMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.maxWaitMs);
    }
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.options.maxBatch);
    try {
      const outputs = await this.runBatch(batch.map((pending) => pending.item));
      if (outputs.length !== batch.length) {
        throw new Error(`batch function returned ${outputs.length} results for ${batch.length} items`);
      }
      batch.forEach((pending, i) => pending.resolve(outputs[i]!));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.running = false;
      // Whatever queued while this batch ran has waited long enough: run it now.
      if (this.queue.length > 0) void this.flush();
    }
  }
}
