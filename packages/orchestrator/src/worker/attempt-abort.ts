/**
 * The abort of one attempt (kill, timeout, lease lost, shutdown), with an
 * `AbortSignal` made only when the task asks for one (`ctx.signal`): Log,
 * Return and most core tasks never do, and an `AbortController` per attempt
 * cost more than running such a task (bench/RESULTS-instance.md).
 *
 * @example
 * const abort = new AttemptAbort();
 * abort.onAbort((reason) => reject(reason));
 * fetch(url, { signal: abort.signal }); abort.abort(new Error('killed'));
 */
export class AttemptAbort {
  private controller: AbortController | undefined;
  private listener: ((reason: unknown) => void) | undefined;
  private abortedNow = false;
  private reasonNow: unknown;

  get aborted(): boolean {
    return this.abortedNow;
  }

  /** What `abort` was given (undefined until then). */
  get reason(): unknown {
    return this.reasonNow;
  }

  /** The attempt's `AbortSignal`, made on first use (already aborted if the attempt was). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedNow) this.controller.abort(this.reasonNow);
    }
    return this.controller.signal;
  }

  /** Aborts once: the signal (if made) first, then the `onAbort` listener. */
  abort(reason: unknown): void {
    if (this.abortedNow) return;
    this.abortedNow = true;
    this.reasonNow = reason;
    this.controller?.abort(reason);
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
  }

  /** `listener` is called once, at the abort (at once when already aborted); one listener. */
  onAbort(listener: (reason: unknown) => void): void {
    if (this.abortedNow) listener(this.reasonNow);
    else this.listener = listener;
  }
}
