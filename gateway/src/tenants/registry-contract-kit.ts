import { afterEach, beforeEach, describe } from 'vitest';
import type { Registry } from './registry.js';

/** What a backend hands each contract test: a fresh, empty registry. */
export type RegistryFixture = {
  registry: Registry;
  /**
   * Opens another registry over the same data, as a second gateway process
   * would. Without it the "another writer" scenarios are reported as
   * skipped (a private in-memory database has no other writer).
   */
  openSibling?: () => Registry | Promise<Registry>;
  /** Removes what the fixture made (temp dir, database); after every registry is closed. */
  dispose?: () => void | Promise<void>;
};

/**
 * Builds a fresh, empty registry for one test, on the given clock; a backend
 * passes the registry contracts with one of these.
 */
export type MakeRegistry = (options: { now: () => Date }) => RegistryFixture | Promise<RegistryFixture>;

/** The contracts' clock: starts at 2030-01-01T00:00:00Z and moves only when told. */
export type ContractClock = { now: () => Date; advance(ms: number): void };

/** What a contract's scenarios get: the registry under test, its clock, a sibling when the backend has one. */
export type PortTest = {
  registry(): Registry;
  clock: ContractClock;
  /** A second registry over the same data, or undefined (then skip the scenario). */
  sibling(): Promise<Registry | undefined>;
};

/**
 * Runs one port's scenarios against a backend: a fresh registry per test on
 * a manual clock, everything closed after. Shared by the five registry
 * contracts.
 *
 * @example
 * describeRegistryPort('TenantStore', 'sqlite', make, (t) => {
 *   it('…', async () => { await t.registry().tenants.create({ id: 'acme' }); });
 * });
 */
export function describeRegistryPort(
  port: string,
  backend: string,
  make: MakeRegistry,
  scenarios: (t: PortTest) => void,
): void {
  describe(`${port} contract: ${backend}`, () => {
    let fixture: RegistryFixture | undefined;
    let siblings: Registry[] = [];
    let ms = 0;
    const clock: ContractClock = {
      now: () => new Date(ms),
      advance: (by) => {
        ms += by;
      },
    };

    beforeEach(async () => {
      ms = Date.parse('2030-01-01T00:00:00Z');
      fixture = await make({ now: clock.now });
    });
    afterEach(async () => {
      for (const s of siblings) await s.close();
      siblings = [];
      await fixture?.registry.close();
      await fixture?.dispose?.();
      fixture = undefined;
    });

    scenarios({
      registry: () => {
        if (fixture === undefined) throw new Error('registry used outside a test');
        return fixture.registry;
      },
      clock,
      sibling: async () => {
        if (fixture?.openSibling === undefined) return undefined;
        const sibling = await fixture.openSibling();
        siblings.push(sibling);
        return sibling;
      },
    });
  });
}

/**
 * Polls `check` until it holds, for at most `timeoutMs` (another writer's
 * change may reach a backend's caches a moment later; issue 17 allows one
 * second). Returns the last result.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 1_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1_000; i++) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
