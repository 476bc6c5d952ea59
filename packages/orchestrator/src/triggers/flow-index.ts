import { publishedOf } from '../flow/drafts.js';
import type { Flow } from '../flow/flow-model.js';
import type { FlowRepository } from '../ports/flow-repository.js';

/**
 * The live flows that carry a trigger of a given type, rebuilt only when
 * the flows changed (`signature`: the flow repository's write count), so
 * that evaluating triggers at every execution end costs no query.
 */
export class TriggerFlowIndex {
  private cache: { signature: string; flows: Flow[] } | undefined;

  constructor(
    private readonly flows: FlowRepository,
    private readonly signature: () => string,
    private readonly triggerType: string,
  ) {}

  /** The live, enabled flows with at least one enabled trigger of the type. */
  current(): Flow[] {
    const signature = this.signature();
    if (this.cache?.signature !== signature) {
      const flows = this.flows
        .listAll()
        .map((r) => publishedOf(this.flows, r)?.flow)
        .filter((f): f is Flow => f !== undefined)
        .filter((f) => !f.disabled && f.triggers.some((t) => t.type === this.triggerType && !t.disabled));
      this.cache = { signature, flows };
    }
    return this.cache.flows;
  }
}
