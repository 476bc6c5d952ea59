import { describe, expect, it } from 'vitest';
import {
  ErrorBodySchema,
  InstanceEnvSchema,
  isTerminal,
  LifecycleReportSchema,
  parseShortDuration,
  STATE_TYPES,
  TenantIdSchema,
  tenantIdProblem,
} from './index.js';

describe('tenant id', () => {
  it.each(['acme', 'a1b', 'team-42', `a${'b'.repeat(61)}c`])('accepts %s', (id) => {
    expect(tenantIdProblem(id)).toBeUndefined();
    expect(TenantIdSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['ab', /3 to 63 characters/],
    [`a${'b'.repeat(63)}`, /3 to 63 characters/],
    ['Acme', /lowercase: try "acme"/],
    ['1acme', /start with a letter/],
    ['acme-', /must not end with "-"/],
    ['ac_me', /may only contain a-z, 0-9 and "-"/],
    ['ac.me', /may only contain/],
    ['admin', /reserved/],
    ['api', /reserved/],
    ['main', /reserved .*Kestra's default tenant/],
    ['health', /reserved/],
    ['metrics', /reserved/],
  ])('rejects %s and says why', (id, why) => {
    expect(tenantIdProblem(id)).toMatch(why);
    const result = TenantIdSchema.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(why);
  });
});

describe('states', () => {
  it('has the terminal states of Kestra', () => {
    const terminal = STATE_TYPES.filter(isTerminal);
    expect(terminal).toEqual(['RETRIED', 'SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED']);
  });
  it.each(['CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RESTARTED', 'KILLING', 'RETRYING'] as const)(
    '%s is not terminal',
    (s) => expect(isTerminal(s)).toBe(false),
  );
});

describe('error body', () => {
  it('requires a message and a known code', () => {
    expect(ErrorBodySchema.safeParse({ message: 'no key', code: 'UNAUTHORIZED' }).success).toBe(true);
    expect(ErrorBodySchema.safeParse({ message: '', code: 'UNAUTHORIZED' }).success).toBe(false);
    expect(ErrorBodySchema.safeParse({ message: 'x', code: 'TEAPOT' }).success).toBe(false);
  });
});

describe('instance contract', () => {
  it('reads the instance environment with defaults', () => {
    const env = InstanceEnvSchema.parse({ SILO_TENANT_ID: 'acme' });
    expect(env).toMatchObject({ SILO_PORT: 8081, SILO_LOG_LEVEL: 'info', SILO_DATA_DIR: './data' });
  });
  it('names the variable that is wrong', () => {
    const result = InstanceEnvSchema.safeParse({ SILO_TENANT_ID: 'acme', SILO_PORT: 'eighty' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['SILO_PORT']);
  });
  it('validates the lifecycle report', () => {
    const ok = {
      busy: false,
      activeStreams: 0,
      pendingExecutions: 0,
      nextWakeAt: '2026-01-01T00:00:00.000Z',
    };
    expect(LifecycleReportSchema.parse(ok)).toMatchObject(ok);
    expect(LifecycleReportSchema.safeParse({ ...ok, nextWakeAt: 'soon' }).success).toBe(false);
  });
});

describe('short durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1500', 1500],
  ])('%s = %d ms', (text, ms) => expect(parseShortDuration(text)).toBe(ms));
  it('names the accepted forms', () => {
    expect(() => parseShortDuration('5 minutes')).toThrow(/e\.g\. 250ms, 30s, 5m, 1h/);
  });
});
