import { describe, expect, it } from 'vitest';
import { explainNetworkError } from './engine-errors.js';

describe('explainNetworkError', () => {
  it("says what to do when dockerd's address pools are used up, keeping the engine's error as the cause", () => {
    // The engine's own message (dockerd 20.10), as dockerode reports it.
    const engine = Object.assign(
      new Error(
        '(HTTP code 404) driver not found - could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
      ),
      { statusCode: 404 },
    );
    const explained = explainNetworkError(engine, 'silo-acme-net') as Error;
    expect(explained.message).toContain('no free address range for the tenant network silo-acme-net');
    expect(explained.message).toContain('default-address-pools');
    expect(explained.cause).toBe(engine);
  });

  it('returns any other error as it is', () => {
    const other = new Error('(HTTP code 500) server error - something else');
    expect(explainNetworkError(other, 'silo-acme-net')).toBe(other);
  });
});
