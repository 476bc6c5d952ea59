import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lookupType } from './task-registry.js';
import { lazySchemas } from './type-definition.js';

describe('lazySchemas', () => {
  it('builds a schema on its first read only, then keeps it', () => {
    let built = 0;
    const [def] = lazySchemas([
      {
        type: 'x.Lazy',
        kind: 'task',
        aliases: ['x.Old'],
        schema: () => {
          built++;
          return z.strictObject({ a: z.string() });
        },
      },
    ]);
    expect(built).toBe(0);
    expect(def?.type).toBe('x.Lazy');
    expect(def?.aliases).toEqual(['x.Old']);
    const first = def?.schema;
    expect(built).toBe(1);
    expect(def?.schema).toBe(first);
    expect(built).toBe(1);
    expect(first?.safeParse({ a: 'ok' }).success).toBe(true);
    expect(first?.safeParse({ b: 1 }).success).toBe(false);
    // The getter is enumerable: a spread copy carries the schema.
    expect({ ...def }.schema).toBe(first);
  });

  it('leaves the registered types their own strict schemas', () => {
    const log = lookupType('io.kestra.plugin.core.log.Log');
    expect(log?.schema.safeParse({ message: 'hi' }).success).toBe(true);
    expect(log?.schema.safeParse({ mesage: 'hi' }).success).toBe(false);
    const dayWeek = lookupType('io.kestra.plugin.core.condition.DayWeek', 'condition');
    expect(dayWeek?.schema.safeParse({ dayOfWeek: 'MONDAY' }).success).toBe(true);
    expect(dayWeek?.schema.safeParse({ dayOfWeek: 'MONDAYS' }).success).toBe(false);
  });
});
