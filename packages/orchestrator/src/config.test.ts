import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('instance config', () => {
  it('applies the documented defaults of the engine knobs', () => {
    const c = loadConfig({ SILO_TENANT_ID: 'acme' });
    expect(c).toMatchObject({
      shutdownGraceMs: 10_000,
      workerConcurrency: 16,
      jobLeaseMs: 60_000,
      executorBatchSize: 256,
      maxBodyBytes: 100 * 1024 * 1024,
    });
  });

  it('reads the knobs from the environment', () => {
    const c = loadConfig({
      SILO_TENANT_ID: 'acme',
      SILO_WORKER_CONCURRENCY: '4',
      SILO_JOB_LEASE_MS: '5000',
      SILO_EXECUTOR_BATCH_SIZE: '32',
      SILO_MAX_BODY_BYTES: '2048',
    });
    expect([c.workerConcurrency, c.jobLeaseMs, c.executorBatchSize, c.maxBodyBytes]).toEqual([
      4, 5000, 32, 2048,
    ]);
  });

  it('names every variable that is wrong', () => {
    expect(() =>
      loadConfig({ SILO_TENANT_ID: 'acme', SILO_WORKER_CONCURRENCY: '0', SILO_JOB_LEASE_MS: 'soon' }),
    ).toThrow(
      /SILO_WORKER_CONCURRENCY[\s\S]*SILO_JOB_LEASE_MS|SILO_JOB_LEASE_MS[\s\S]*SILO_WORKER_CONCURRENCY/,
    );
  });
});
