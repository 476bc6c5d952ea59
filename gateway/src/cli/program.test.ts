import { describe, expect, it } from 'vitest';
import { resolveConnection } from './admin-client.js';
import { formatReport } from './migrate-command.js';
import { buildProgram } from './program.js';
import { formatTable } from './table.js';

const io = { env: {}, print: () => undefined, readStdin: async () => '' };

describe('silo CLI', () => {
  it('has the commands of DESIGN.md', () => {
    const program = buildProgram(io);
    const names = (path: string[]) => {
      let cmd = program;
      for (const p of path) cmd = cmd.commands.find((c) => c.name() === p) ?? cmd;
      return cmd.commands.map((c) => c.name());
    };
    expect(names([])).toEqual(expect.arrayContaining(['serve', 'tenant', 'key', 'secret', 'status']));
    expect(names(['tenant'])).toEqual(
      expect.arrayContaining([
        'create',
        'list',
        'show',
        'delete',
        'suspend',
        'resume',
        'start',
        'stop',
        'logs',
        'limits',
        'migrate',
      ]),
    );
    expect(names(['key'])).toEqual(expect.arrayContaining(['create', 'list', 'revoke']));
    expect(names(['secret'])).toEqual(expect.arrayContaining(['set', 'list', 'delete']));
  });

  it('takes URL and token from flags, then the environment', () => {
    expect(resolveConnection({ url: 'http://x:1/', token: 't' }, { SILO_URL: 'http://y:2' })).toEqual({
      url: 'http://x:1',
      token: 't',
    });
    expect(resolveConnection({}, { SILO_PORT: '9000', SILO_ADMIN_TOKEN: 'e' })).toEqual({
      url: 'http://127.0.0.1:9000',
      token: 'e',
    });
    expect(() => resolveConnection({ dataDir: '/nonexistent' }, {})).toThrow(/no admin token/);
  });

  it('prints a migration report with each reason under its flow', () => {
    expect(
      formatReport({
        from: '1.3',
        to: '2.0',
        summary: { clean: 1, automatic: 1, manual: 0 },
        flows: [
          { namespace: 'acme', id: 'a', revision: 1, status: 'clean', reasons: [] },
          {
            namespace: 'acme',
            id: 'b',
            revision: 3,
            status: 'automatic',
            reasons: [{ path: 'inputs[0].type', line: 5, message: 'BOOLEAN → BOOL', kind: 'automatic' }],
          },
        ],
      }),
    ).toBe(
      [
        'Kestra 1.3 → 2.0: 1 clean, 1 automatic, 0 manual',
        'FLOW    REVISION  STATUS',
        'acme.a  1         clean',
        'acme.b  3         automatic',
        'acme.b:',
        '  [automatic] line 5 inputs[0].type: BOOLEAN → BOOL',
      ].join('\n'),
    );
  });

  it('prints tables for people', () => {
    expect(
      formatTable([{ id: 'acme', coldStarts: 2, lastError: null }], ['id', 'coldStarts', 'lastError']),
    ).toBe('ID    COLD_STARTS  LAST_ERROR\nacme  2            -');
  });
});
