import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { type GuardedBrowser, launchGuarded, takeExpectedErrors } from './chromium.js';

// Line 5 names a task type that does not exist.
const BROKEN = `id: console-demo
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Logg
    message: hi
`;

const FIXED = `id: console-demo
namespace: company.team
inputs:
  - id: count
    type: INT
  - id: name
    type: STRING
    defaults: console
  - id: doc
    type: FILE
    required: false
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }} x{{ inputs.count }}"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT3S
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "done {{ inputs.count }}"
`;

const SLEEPER = `id: sleeper
namespace: company.team
tasks:
  - id: long-nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT60S
triggers:
  - id: new-year
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 1 1 *"
`;

/** Polls a locator's text (bounded): the page updates live, so assertions wait for it. */
const textOf = (l: Locator, timeout = 15_000) =>
  expect.poll(async () => (await l.textContent({ timeout: 1_000 }).catch(() => null)) ?? '', {
    timeout,
    interval: 100,
  });
const countOf = (l: Locator, timeout = 15_000) => expect.poll(() => l.count(), { timeout, interval: 100 });
const visible = (l: Locator) => l.waitFor({ state: 'visible', timeout: 15_000 });

const APPROVE = `id: approve
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.onResume.approved }} / {{ outputs.wait.onResume.reason }}"
`;

describe('the console in Chromium, against a real gateway and orchestrator on 127.0.0.1', () => {
  let t: TestGateway;
  let b: GuardedBrowser;
  let key = '';
  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    // Kestra 1.3: the flows below use BOOLEAN resume inputs (2.0 says BOOL); the 2.0 scenario has its own tenant.
    key = await t.tenant('acme', { kestraVersion: '1.3' });
    for (const flow of [SLEEPER, APPROVE]) {
      const res = await fetch(`${t.url}/api/v1/acme/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-yaml' },
        body: flow,
        signal: AbortSignal.timeout(60_000),
      });
      expect(res.status).toBe(200);
    }
    await t.admin('PUT', '/admin/v1/tenants/acme/secrets/API_TOKEN', { value: 'never-shown-in-the-console' });
    b = await launchGuarded();
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const stateOf = (page: Page) => page.getByRole('status', { name: 'Execution state' });

  it('tenant: sign in, edit and validate, save, run with inputs, follow live, download, kill, resume, filter', async () => {
    const page = await b.context.newPage();
    await page.goto(`${t.url}/ui/acme/`);

    // Sign in: a wrong key is refused and leaves no cookie.
    await page.getByLabel('API key').fill('silo_wrongwrongwrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await textOf(page.getByRole('alert')).toContain('invalid or revoked API key');
    expect((await b.context.cookies()).filter((c) => c.name.startsWith('silo_console'))).toEqual([]);
    expect(takeExpectedErrors(b.consoleErrors, /status of 401/)).toBe(1);
    await b.shot(page, 'sign-in-refused');
    // Keyboard: the key field submits with Enter.
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    await visible(page.getByRole('heading', { name: 'Flows' }));
    const cookie = (await b.context.cookies()).find((c) => c.name === 'silo_console_acme');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Editor: an error on line 5 is shown at line 5; fixed, it saves a revision.
    await page.getByRole('link', { name: 'New flow' }).click();
    const editor = page.getByRole('textbox', { name: 'Flow YAML' });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await editor.fill(BROKEN);
    const issues = page.getByRole('list', { name: 'Validation errors' });
    await textOf(issues.getByRole('listitem').first()).toContain('Line 5:');
    await textOf(issues).toContain('io.kestra.plugin.core.log.Logg');
    await countOf(page.locator('.cm-line').nth(4).locator('.cm-lintRange-error')).toBe(1);
    await b.shot(page, 'editor-error-line-5');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await editor.fill(FIXED);
    await visible(page.getByText('No validation errors.'));
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByRole('heading', { name: 'company.team.console-demo' }));
    await textOf(page.getByRole('table').filter({ hasText: 'Inputs' })).toContain('count');
    // A second revision, and the diff between the two.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page
      .getByRole('textbox', { name: 'Flow YAML' })
      .fill(FIXED.replace('x{{ inputs.count }}', 'x{{ inputs.count }}!'));
    await visible(page.getByText('No validation errors.'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('tab', { name: 'Source' }).click();
    await textOf(page.getByRole('region', { name: 'Diff from revision 1 to 2' })).toContain(
      '+     message: "Hello {{ inputs.name }} x{{ inputs.count }}!"',
    );
    await page.getByRole('tab', { name: 'Topology' }).click();
    await textOf(page.locator('svg.topology')).toContain('hello');
    await b.shot(page, 'flow-topology');

    // Run: a bad INT is named; a good one goes straight to the execution.
    await page.getByRole('link', { name: 'Run' }).click();
    await page.getByLabel(/^count/).fill('abc');
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(page.getByRole('alert')).toContain('count');
    await textOf(page.getByRole('alert')).toContain('abc');
    expect(takeExpectedErrors(b.consoleErrors, /status of 4\d\d/)).toBe(1);
    await b.shot(page, 'run-bad-int');
    await page.getByLabel(/^count/).fill('3');
    await page.getByLabel(/^doc/).setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('uploaded from Chromium'),
    });
    await page.getByRole('button', { name: 'Execute' }).click();

    // Live: RUNNING, then SUCCESS, one Gantt bar per task, the Log task's message in the logs.
    await textOf(stateOf(page), 20_000).toBe('RUNNING');
    await b.shot(page, 'execution-running');
    await textOf(stateOf(page), 30_000).toBe('SUCCESS');
    const bars = page.getByRole('list', { name: 'Task runs timeline' }).getByRole('listitem');
    await countOf(bars).toBe(3);
    for (const task of ['hello', 'nap', 'done']) await countOf(bars.filter({ hasText: task })).toBe(1);
    await textOf(page.getByRole('log', { name: 'Logs' })).toContain('Hello console x3!');
    await b.shot(page, 'execution-success');
    // The uploaded FILE input comes back as a download.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 15_000 }),
      page.getByRole('button', { name: 'Download notes.txt' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('notes.txt');
    expect(readFileSync(await download.path(), 'utf8')).toBe('uploaded from Chromium');
    // Readable at a phone's width: nothing wider than the screen but the tables' own scroll.
    await page.setViewportSize({ width: 390, height: 844 });
    // A string: this workspace compiles without the DOM library.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await b.shot(page, 'execution-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // A flow's trigger and its next fire time.
    await page.goto(`${t.url}/ui/acme/#/flows/company.team/sleeper`);
    const trigger = page
      .getByRole('table')
      .filter({ hasText: 'Triggers' })
      .getByRole('row')
      .filter({ hasText: 'new-year' });
    await textOf(trigger).toMatch(/Schedule.*0 0 1 1 \*.*\d{4}/);

    // Kill a sleeping execution.
    await page.getByRole('link', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(stateOf(page), 20_000).toBe('RUNNING');
    await page.getByRole('button', { name: 'Kill' }).click();
    await textOf(stateOf(page), 20_000).toBe('KILLED');
    await b.shot(page, 'execution-killed');

    // Resume a paused execution with the Pause's onResume form.
    await page.goto(`${t.url}/ui/acme/#/flows/company.team/approve/run`);
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(stateOf(page), 20_000).toBe('PAUSED');
    const resume = page.getByRole('form', { name: 'Resume execution' });
    await resume.getByLabel(/^approved/).selectOption('true');
    await resume.getByLabel(/^reason/).fill('looks good');
    await resume.getByRole('button', { name: 'Resume' }).click();
    await textOf(stateOf(page), 20_000).toBe('SUCCESS');
    await textOf(page.getByRole('region', { name: 'Outputs' })).toContain('true / looks good');

    // KV: set a key, see it, delete it; secret names without their values.
    await page.getByRole('link', { name: 'KV & secrets' }).click();
    await textOf(page.getByRole('list', { name: 'Secrets' })).toContain('API_TOKEN');
    expect(await page.content()).not.toContain('never-shown-in-the-console');
    await page.getByLabel('Namespace').fill('company.team');
    await page.getByLabel('Key', { exact: true }).fill('greeting');
    await page.getByLabel('Value (JSON or text)').fill('"hello"');
    await page.getByRole('button', { name: 'Set' }).click();
    await visible(page.getByRole('button', { name: 'Delete key greeting' }));
    await page.getByRole('button', { name: 'Show key greeting' }).click();
    await textOf(page.getByRole('status')).toContain('greeting (STRING): "hello"');
    await b.shot(page, 'kv');
    await page.getByRole('button', { name: 'Delete key greeting' }).click();
    await countOf(page.getByRole('button', { name: 'Delete key greeting' })).toBe(0);

    // Filter the executions list.
    await page.getByRole('link', { name: 'Executions' }).click();
    const rows = page.getByRole('table', { name: 'Executions' }).locator('tbody tr');
    await countOf(rows).toBe(3);
    await page.getByLabel('State').selectOption('KILLED');
    await countOf(rows).toBe(1);
    await textOf(rows.first()).toContain('sleeper');
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Flow').fill('console-demo');
    await countOf(rows).toBe(1);
    await textOf(rows.first()).toContain('SUCCESS');
    await b.shot(page, 'executions-filtered');
    await page.close();
  });

  it('tenant on Kestra 2.0: error detail, outputs from /outputs, kill and restart through /actions/, resume, KV', async () => {
    const zkey = await t.tenant('zeta', { kestraVersion: '2.0' });
    const counter = `id: counter
namespace: company.team
inputs:
  - id: count
    type: INT
tasks:
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "counted {{ inputs.count }}"
`;
    // 2.0 names the boolean input type BOOL.
    for (const flow of [counter, SLEEPER, APPROVE.replace('type: BOOLEAN', 'type: BOOL')]) {
      const res = await fetch(`${t.url}/api/v1/zeta/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${zkey}`, 'content-type': 'application/x-yaml' },
        body: flow,
        signal: AbortSignal.timeout(60_000),
      });
      expect(res.status).toBe(200);
    }
    const page = await b.context.newPage();
    await page.goto(`${t.url}/ui/zeta/`);
    await page.getByLabel('API key').fill(zkey);
    await page.getByLabel('API key').press('Enter');
    await visible(page.getByRole('heading', { name: 'Flows' }));

    // A problem+json error shows its detail, not the raw body.
    await page.goto(`${t.url}/ui/zeta/#/flows/company.team/counter/run`);
    await page.getByLabel(/^count/).fill('abc');
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(page.getByRole('alert')).toContain('abc');
    expect(await page.getByRole('alert').textContent()).not.toContain('"type"');
    expect(takeExpectedErrors(b.consoleErrors, /status of 4\d\d/)).toBe(1);
    // The execution body carries no outputs on 2.0: they are read from /outputs.
    await page.getByLabel(/^count/).fill('3');
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(stateOf(page), 30_000).toBe('SUCCESS');
    await textOf(page.getByRole('region', { name: 'Outputs' })).toContain('counted 3');
    await b.shot(page, 'k20-outputs');

    // Kill, then restart, through /executions/{id}/actions/.
    await page.goto(`${t.url}/ui/zeta/#/flows/company.team/sleeper/run`);
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(stateOf(page), 20_000).toBe('RUNNING');
    await page.getByRole('button', { name: 'Kill' }).click();
    await textOf(stateOf(page), 20_000).toBe('KILLED');
    await page.getByRole('button', { name: 'Restart' }).click();
    await textOf(stateOf(page), 20_000).toBe('RUNNING');
    await visible(page.getByText('Restarted'));
    await page.getByRole('button', { name: 'Kill' }).click();
    await textOf(stateOf(page), 20_000).toBe('KILLED');

    // Resume with a BOOL onResume input.
    await page.goto(`${t.url}/ui/zeta/#/flows/company.team/approve/run`);
    await page.getByRole('button', { name: 'Execute' }).click();
    await textOf(stateOf(page), 20_000).toBe('PAUSED');
    const resume = page.getByRole('form', { name: 'Resume execution' });
    await resume.getByLabel(/^approved/).selectOption('true');
    await resume.getByLabel(/^reason/).fill('fine on 2.0');
    await resume.getByRole('button', { name: 'Resume' }).click();
    await textOf(stateOf(page), 20_000).toBe('SUCCESS');
    await textOf(page.getByRole('region', { name: 'Outputs' })).toContain('true / fine on 2.0');

    // KV list on 2.0.
    await page.getByRole('link', { name: 'KV & secrets' }).click();
    await page.getByLabel('Namespace').fill('company.team');
    await page.getByLabel('Key', { exact: true }).fill('greeting');
    await page.getByLabel('Value (JSON or text)').fill('"hello"');
    await page.getByRole('button', { name: 'Set' }).click();
    await visible(page.getByRole('button', { name: 'Delete key greeting' }));
    await visible(page.getByText('1 key(s) in company.team'));
    await page.getByRole('button', { name: 'Show key greeting' }).click();
    await textOf(page.getByRole('status')).toContain('greeting (STRING): "hello"');
    await page.getByRole('button', { name: 'Delete key greeting' }).click();
    await countOf(page.getByRole('button', { name: 'Delete key greeting' })).toBe(0);
    await b.shot(page, 'k20-kv');
    await page.close();
  });

  it('operator: suspends a tenant from the dashboard, and the admin API agrees', async () => {
    const page = await b.context.newPage();
    await page.goto(`${t.url}/ui/admin/`);
    await page.getByLabel('Admin token').fill(t.gateway.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /acme/ }) });
    await visible(row);
    await visible(page.getByText('Running instances'));
    await b.shot(page, 'dashboard');
    // Create a tenant, give it a key (shown once), delete it.
    await page.getByLabel('New tenant id').fill('beta');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await visible(page.getByRole('button', { name: 'Keys of beta' }));
    await page.getByRole('button', { name: 'Keys of beta' }).click();
    await page.getByLabel('Key name').fill('ci');
    await page.getByRole('button', { name: 'Create key' }).click();
    await textOf(page.getByRole('status').filter({ hasText: 'shown once' })).toMatch(/silo_\w+/);
    await page.getByRole('button', { name: 'Delete beta' }).click();
    await page.getByRole('button', { name: 'Confirm deleting beta' }).click();
    await countOf(page.getByRole('button', { name: 'Keys of beta' })).toBe(0);
    await page.getByRole('button', { name: 'Suspend acme' }).click();
    await textOf(page.getByLabel('State of acme')).toContain('suspended');
    const tenant = await t.admin<{ state: string; suspendedReason: string }>('GET', '/admin/v1/tenants/acme');
    expect(tenant).toMatchObject({ state: 'suspended', suspendedReason: 'suspended from the dashboard' });
    await b.shot(page, 'dashboard-suspended');
    await page.close();
  });

  it('made no request off 127.0.0.1 and logged no console error', () => {
    expect(b.offLoopback).toEqual([]);
    expect(b.consoleErrors).toEqual([]);
  });
});
