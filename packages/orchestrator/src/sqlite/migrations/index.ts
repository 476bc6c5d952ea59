import m0001 from './0001_init.js';
import m0002 from './0002_kv_and_triggers.js';
import m0003 from './0003_executions.js';
import m0004 from './0004_flows.js';
import m0005 from './0005_condition_windows.js';

/**
 * Every migration, in order. Migration N sets `PRAGMA user_version = N`.
 * Append new entries at the end; never edit or reorder shipped ones.
 */
export const MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  { name: '0001_init', sql: m0001 },
  { name: '0002_kv_and_triggers', sql: m0002 },
  { name: '0003_executions', sql: m0003 },
  { name: '0004_flows', sql: m0004 },
  { name: '0005_condition_windows', sql: m0005 },
];
