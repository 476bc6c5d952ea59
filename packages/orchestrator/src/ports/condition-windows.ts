/** Identifies the window of one multiple condition (a MultipleCondition, or a Flow trigger's `preconditions`). */
export type ConditionWindowKey = { namespace: string; flowId: string; conditionId: string };

/** Which conditions of a multiple condition held, and when, within one time window. Dates are ISO-8601 UTC. */
export type ConditionWindow = { start: string; end: string; results: Record<string, string> };

/**
 * Where the Flow trigger keeps its multiple-condition windows between
 * executions and restarts (Kestra's `MultipleConditionStorage`).
 * Synchronous, written in the transaction of the execution change that is evaluated.
 *
 * @example
 * windows.save(key, { start, end, results: { flow_a: '2025-01-01T08:00:00.000Z' } });
 */
export type ConditionWindowStore = {
  get(key: ConditionWindowKey): ConditionWindow | undefined;
  save(key: ConditionWindowKey, window: ConditionWindow): void;
  delete(key: ConditionWindowKey): void;
};
