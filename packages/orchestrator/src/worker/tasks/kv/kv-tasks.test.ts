import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KvService } from '../../../ports/kv-store.js';
import { openDatabase, type SqliteDatabase } from '../../../sqlite/database.js';
import { SqliteKvStore } from '../../../sqlite/sqlite-kv-store.js';
import { NonRetryableTaskError } from '../../runnable-task.js';
import { kvDeleteTask, kvGetKeysTask, kvGetTask, kvSetTask } from './kv-tasks.js';
import { testRunContext, testTask } from './test-run-context.js';

let db: SqliteDatabase;
let store: SqliteKvStore;
let now: Date;

beforeEach(() => {
  db = openDatabase(':memory:');
  now = new Date('2024-05-01T10:00:00.000Z');
  store = new SqliteKvStore(db, { clock: { now: () => now }, maxValueBytes: 256 });
});
afterEach(() => db.close());

const kv: () => KvService = () => store;
const ctx = (variables: Record<string, unknown> = {}) =>
  testRunContext({ variables, services: { kv: kv() } });
const SET = 'io.kestra.plugin.core.kv.Set';
const GET = 'io.kestra.plugin.core.kv.Get';

describe('kv.Set', () => {
  it('stores a rendered string in the flow namespace by default', async () => {
    await kvSetTask.run(
      testTask(SET, { key: 'k', value: 'order {{ inputs.id }}' }),
      ctx({ inputs: { id: 7 } }),
    );
    expect(store.get('io.kestra.tests', 'k')).toMatchObject({ value: 'order 7', type: 'STRING' });
  });

  it.each([
    ['NUMBER', '42', 42],
    ['BOOLEAN', 'TRUE', true],
    ['JSON', '{"a":[1]}', { a: [1] }],
    ['DATETIME', '2024-01-31T10:00:00+01:00', '2024-01-31T09:00:00.000Z'],
    ['DURATION', 'PT1H', 'PT1H'],
  ])('converts a string value with kvType %s', async (kvType, value, expected) => {
    await kvSetTask.run(testTask(SET, { key: 'k', value, kvType }), ctx());
    expect(store.get('io.kestra.tests', 'k')).toMatchObject({ value: expected, type: kvType });
  });

  it('stores structured values as JSON, in another namespace, with ttl and description', async () => {
    await kvSetTask.run(
      testTask(SET, {
        key: 'k',
        value: { a: '{{ inputs.x }}' },
        namespace: 'other',
        ttl: 'PT1M',
        kvDescription: 'd',
      }),
      ctx({ inputs: { x: 'y' } }),
    );
    expect(store.getRecord('other', 'k')).toMatchObject({
      value: { a: 'y' },
      type: 'JSON',
      description: 'd',
      expiresAt: '2024-05-01T10:01:00.000Z',
    });
  });

  it('fails without retry on overwrite=false over an existing key, a bad key, a bad type or a too large value', async () => {
    store.set('io.kestra.tests', 'k', 1);
    const attempts = [
      { key: 'k', value: '2', overwrite: false },
      { key: '-bad', value: '2' },
      { key: 'n', value: 'abc', kvType: 'NUMBER' },
      { key: 'n', value: 'abc', kvType: 'XML' },
      { key: 'big', value: 'x'.repeat(300) },
    ];
    for (const props of attempts) {
      await expect(kvSetTask.run(testTask(SET, props), ctx())).rejects.toBeInstanceOf(NonRetryableTaskError);
    }
    await expect(kvSetTask.run(testTask(SET, { key: 'big', value: 'x'.repeat(300) }), ctx())).rejects.toThrow(
      "The value of key 'big' in namespace 'io.kestra.tests' is 302 bytes, over the limit of 256 bytes",
    );
    expect(store.get('io.kestra.tests', 'k')?.value).toBe(1);
  });

  it('fails clearly when the instance has no KV store', async () => {
    await expect(kvSetTask.run(testTask(SET, { key: 'k', value: 'v' }), testRunContext())).rejects.toThrow(
      'The KV store is not available in this instance',
    );
  });
});

describe('kv.Get, kv.Delete, kv.GetKeys', () => {
  it('Get returns outputs.value, nothing when missing, and fails with errorOnMissing', async () => {
    store.set('io.kestra.tests', 'k', { field: 'value' });
    expect(await kvGetTask.run(testTask(GET, { key: 'k' }), ctx())).toEqual({
      outputs: { value: { field: 'value' } },
    });
    expect(await kvGetTask.run(testTask(GET, { key: 'missing' }), ctx())).toEqual({ outputs: {} });
    await expect(
      kvGetTask.run(
        testTask(GET, { key: 'missing', errorOnMissing: '{{ inputs.e }}' }),
        ctx({ inputs: { e: true } }),
      ),
    ).rejects.toThrow(
      "No value found for key 'missing' in namespace 'io.kestra.tests' and `errorOnMissing` is set to true",
    );
  });

  it('Get reads only the given namespace', async () => {
    store.set('io.kestra', 'k', 1);
    expect(await kvGetTask.run(testTask(GET, { key: 'k' }), ctx())).toEqual({ outputs: {} });
    expect(await kvGetTask.run(testTask(GET, { key: 'k', namespace: 'io.kestra' }), ctx())).toEqual({
      outputs: { value: 1 },
    });
  });

  it('Delete reports outputs.deleted and fails with errorOnMissing', async () => {
    store.set('io.kestra.tests', 'k', 1);
    const DEL = 'io.kestra.plugin.core.kv.Delete';
    expect(await kvDeleteTask.run(testTask(DEL, { key: 'k' }), ctx())).toEqual({
      outputs: { deleted: true },
    });
    expect(await kvDeleteTask.run(testTask(DEL, { key: 'k' }), ctx())).toEqual({
      outputs: { deleted: false },
    });
    await expect(kvDeleteTask.run(testTask(DEL, { key: 'k', errorOnMissing: true }), ctx())).rejects.toThrow(
      /No value found for key 'k'/,
    );
  });

  it('GetKeys lists keys by prefix', async () => {
    store.set('io.kestra.tests', 'my_var1', 1);
    store.set('io.kestra.tests', 'my_var2', 1);
    store.set('io.kestra.tests', 'other', 1);
    const GK = 'io.kestra.plugin.core.kv.GetKeys';
    expect(await kvGetKeysTask.run(testTask(GK, { prefix: 'my_var' }), ctx())).toEqual({
      outputs: { keys: ['my_var1', 'my_var2'] },
    });
    expect(await kvGetKeysTask.run(testTask(GK, {}), ctx())).toEqual({
      outputs: { keys: ['my_var1', 'my_var2', 'other'] },
    });
  });
});
