import { DEMO_FLOW_YAML } from '@silo/gateway';
import { migrateFlowTo20 } from '@silo/orchestrator';
import { describe, expect, it } from 'vitest';

describe('built-in flows and new tenants (Kestra 2.0 by default)', () => {
  it('the first-run demo flow needs no migration: valid on 2.0 as written', () => {
    expect(migrateFlowTo20(DEMO_FLOW_YAML)).toEqual({ status: 'clean', reasons: [] });
  });
});
