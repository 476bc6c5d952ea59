import m0001 from './0001_init.js';
import m0002 from './0002_kv_and_triggers.js';

/**
 * Every migration, in order. Migration N sets `PRAGMA user_version = N`.
 * Append new entries at the end; never edit or reorder shipped ones.
 */
export const MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  { name: '0001_init', sql: m0001 },
  { name: '0002_kv_and_triggers', sql: m0002 },
];
