import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { flowRepositoryContract } from '../testing/flow-repository.contract.js';
import { openDatabase } from './database.js';
import { SqliteFlowRepository } from './sqlite-flow-repository.js';

const dir = mkdtempSync(join(tmpdir(), 'silo-flows-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

flowRepositoryContract('sqlite', () => new SqliteFlowRepository(openDatabase(join(dir, `flows-${n++}.db`))));
