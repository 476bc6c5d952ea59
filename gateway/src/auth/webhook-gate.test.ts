import { createHash } from 'node:crypto';
import { WEBHOOK_NOT_FOUND_MESSAGE } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceState } from '../lifecycle/instance-state.js';
import type { Registry } from '../tenants/registry.js';
import { openSqliteRegistry } from '../tenants/sqlite/open-sqlite-registry.js';
import { WebhookGate, WebhookNotFoundError } from './webhook-gate.js';

const target = { namespace: 'company', flowId: 'inbox', key: 'k3y' };
const hash = createHash('sha256').update('company/inbox/k3y').digest('hex');

describe('WebhookGate', () => {
  let registry: Registry;
  let states: Record<string, InstanceState>;
  let gate: WebhookGate;

  beforeEach(async () => {
    registry = openSqliteRegistry(':memory:');
    await registry.tenants.create({ id: 'acme' });
    await registry.tenants.create({ id: 'other' });
    states = {};
    gate = new WebhookGate({ registry, instanceState: (id) => states[id] ?? 'stopped' });
  });
  afterEach(() => registry.close());

  const miss = async (segment: string, t = target) => {
    const err = await gate.admit(segment, t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookNotFoundError);
    expect((err as Error).message).toBe(WEBHOOK_NOT_FOUND_MESSAGE);
  };

  it('admits a stopped tenant only for a reported key', async () => {
    await registry.webhookKeys.replace('acme', [hash]);
    expect(await gate.admit('acme', target)).toBe('acme');
    await miss('acme', { ...target, key: 'wrong' });
    await miss('acme', { ...target, flowId: 'nope' });
  });

  it('answers unknown, main, suspended and never-started tenants with the same miss', async () => {
    await registry.webhookKeys.replace('acme', [hash]);
    await miss('ghost');
    await miss('main');
    await miss('other');
    await registry.tenants.setState('acme', 'suspended', 'unpaid');
    await miss('acme');
  });

  it('lets a running instance answer for itself, and wakes a tenant that ran but never reported', async () => {
    states.other = 'running';
    expect(await gate.admit('other', { ...target, key: 'anything' })).toBe('other');
    states.other = 'stopped';
    await miss('other');
    await registry.instances.update('other', { coldStarts: 1 });
    expect(await gate.admit('other', target)).toBe('other');
    await registry.webhookKeys.replace('other', []);
    await miss('other');
  });
});
