import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, tenantWithKey } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';
import { QUICK_FLOW } from './load-kit.js';

/**
 * Issue 19 §4 (process runtime): one tenant fills its disk (its 20 MB storage
 * quota) with KV values while a neighbour runs executions. Its writes fail
 * with 507 naming storageMb; SQLite passes integrity_check; once it deletes
 * its values it may write again; the neighbour never gets anything but 200.
 */
const figures = figureTable('disk full on one tenant (storage quota, process runtime)');

describe('reliability: disk full on one tenant', () => {
  let t: TestGateway;
  let fullKey: string;
  let calmKey: string;
  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator', reportIntervalMs: 200 });
    fullKey = await tenantWithKey(t.admin, 'full', { storageMb: 20 });
    calmKey = await t.tenant('calm');
    const res = await fetch(`${t.url}/api/v1/calm/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${calmKey}`, 'content-type': 'application/x-yaml' },
      body: QUICK_FLOW,
    });
    expect(res.status, await res.text()).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const kv = (method: string, key: string, body?: string) =>
    fetch(`${t.url}/api/v1/full/namespaces/fill/kv/${key}`, {
      method,
      headers: {
        authorization: `Bearer ${fullKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(60_000),
    });

  it('refuses the full tenant clearly, keeps SQLite sound, recovers when space is freed, spares the neighbour', async () => {
    let calmRuns = 0;
    const calmFailures: string[] = [];
    let filling = true;
    const neighbour = (async () => {
      for (let i = 0; filling && i < 10_000; i++) {
        const res = await fetch(`${t.url}/api/v1/calm/executions/load/quick?wait=true`, {
          method: 'POST',
          headers: { authorization: `Bearer ${calmKey}` },
          signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        calmRuns += 1;
        if (res.status !== 200 || !text.includes('SUCCESS'))
          calmFailures.push(`${res.status} ${text.slice(0, 100)}`);
      }
    })();

    const value = JSON.stringify('x'.repeat(900_000));
    let written = 0;
    let refusal: { status: number; body: string } | undefined;
    for (let i = 0; i < 60 && refusal === undefined; i++) {
      const res = await kv('PUT', `k${i}`, value);
      const body = await res.text();
      if (res.status === 200 || res.status === 204) written += 1;
      else refusal = { status: res.status, body };
    }
    expect(refusal?.status).toBe(507);
    expect(refusal?.body).toMatch(/storage quota of 20 MB \(storageMb\)/);

    // Space freed: the tenant deletes what it wrote, then may write again (bounded wait: usage is re-measured each second).
    for (let i = 0; i < written; i++) expect([200, 204]).toContain((await kv('DELETE', `k${i}`)).status);
    let recovered = 0;
    const freedAt = Date.now();
    for (let tries = 0; tries < 40 && recovered === 0; tries++) {
      const res = await kv('PUT', 'after', JSON.stringify('y'.repeat(100_000)));
      await res.text();
      if (res.status === 200 || res.status === 204) recovered = Date.now() - freedAt;
      else await new Promise((r) => setTimeout(r, 500));
    }
    filling = false;
    await neighbour;

    await t.admin('POST', '/admin/v1/tenants/full/stop');
    const db = new Database(join(t.dataDir, 'tenants', 'full', 'data', 'silo.db'), { readonly: true });
    let integrity: string;
    try {
      integrity = db.pragma('integrity_check', { simple: true }) as string;
    } finally {
      db.close();
    }
    figures.record('disk full', {
      valuesWritten: written,
      refusal: refusal?.status ?? 0,
      integrity,
      recoveredAfterMs: recovered,
      neighbourRuns: calmRuns,
      neighbourFailures: calmFailures.length,
    });
    expect(integrity).toBe('ok');
    expect(recovered).toBeGreaterThan(0);
    expect(calmFailures).toEqual([]);
    expect(calmRuns).toBeGreaterThan(0);
  }, 300_000);
});
