import type { z } from 'zod';

/** What a registered type is: a task, a trigger, or a trigger condition. */
export type TypeKind = 'task' | 'trigger' | 'condition';

/**
 * Where a flowable task keeps its children:
 * - `list`: a list of tasks (`tasks`, `then`, `else`, `defaults`);
 * - `map`: a map of lists of tasks (Switch `cases`);
 * - `dag`: a list of `{ task, dependsOn }` (Dag `tasks`).
 */
export type ChildSlot = { key: string; shape: 'list' | 'map' | 'dag' };

/**
 * One task, trigger or condition type: its canonical name, the older names it
 * answers to, and the zod schema of its own properties (the common ones such
 * as `id`, `retry` or `timeout` are checked by the parser).
 */
export type TypeDefinition = {
  /** Canonical name, e.g. `io.kestra.plugin.core.log.Log`. */
  type: string;
  kind: TypeKind;
  /** Other names Kestra accepts for it (pre-0.20 `io.kestra.core.tasks.*`, renamed classes). */
  aliases?: readonly string[];
  /** The type's own properties; a strict object, so a misspelt property is an error. */
  schema: z.ZodType;
  /** Set for flowable tasks: where the child tasks are. */
  children?: readonly ChildSlot[];
  /** A flowable task without any child is an error unless this is false. @default true */
  childrenRequired?: boolean;
  /**
   * Properties Kestra has but Silo does not execute, with the reason: a flow
   * that sets one is refused at save (never accepted and then ignored).
   */
  notExecuted?: Readonly<Record<string, string>>;
  /** Set when Silo does not execute the type at all: the reason a flow using it is refused. */
  notExecutedType?: string;
  /** Properties holding an ISO-8601 duration: a literal one is also given as `<key>Ms`. */
  durations?: readonly string[];
};

/** A `TypeDefinition` as written in task-types/: its schema is a factory, called on first use. */
export type TypeSpec = Omit<TypeDefinition, 'schema'> & { schema: () => z.ZodType };

/**
 * The definitions of `specs`, each building its zod schema the first time
 * `schema` is read (then kept). Building every type's schema at module load
 * was a large share of an instance's boot (bench/RESULTS-instance.md), and a
 * cold request (`/readyz`, a list of flows or executions) validates no flow.
 */
export function lazySchemas(specs: readonly TypeSpec[]): TypeDefinition[] {
  return specs.map(({ schema: build, ...rest }) => {
    let schema: z.ZodType | undefined;
    return Object.defineProperty(rest, 'schema', {
      enumerable: true,
      get: () => {
        schema ??= build();
        return schema;
      },
    }) as TypeDefinition;
  });
}
