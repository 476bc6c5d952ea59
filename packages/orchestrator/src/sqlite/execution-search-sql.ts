import type { ExecutionFilter, ExecutionSearch } from '../ports/execution-store.js';

const like = (v: string) => v.replace(/[%_\\]/g, (c) => `\\${c}`);

const SORT_COLUMNS: Record<string, string> = {
  'state.startDate': 'start_date',
  startDate: 'start_date',
  'state.endDate': 'end_date',
  endDate: 'end_date',
  id: 'id',
  flowId: 'flow_id',
  namespace: 'namespace',
  'state.current': 'state',
  state: 'state',
};

/**
 * (search) → the WHERE clause (possibly empty), its parameters and the ORDER BY
 * of `SELECT … FROM executions`. Namespace matches as a prefix (as Kestra),
 * labels must all match, default order newest start first.
 */
export function executionSearchSql(q: ExecutionSearch): { clause: string; params: unknown[]; order: string } {
  const { where, params } = filterSql(q);
  const order =
    (q.sort ?? [])
      .map((s) => {
        const [field, dir] = s.split(':');
        const col = SORT_COLUMNS[field ?? ''];
        return col ? `${col} ${dir?.toLowerCase() === 'asc' ? 'ASC' : 'DESC'}` : undefined;
      })
      .filter((x) => x !== undefined)
      .join(', ') || 'start_date DESC';
  return { clause: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params, order };
}

/** (filter) → its conditions (to be joined with AND) and their positional parameters; groups recurse. */
function filterSql(q: ExecutionFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.namespace) {
    where.push("(namespace = ? OR namespace LIKE ? ESCAPE '\\')");
    params.push(q.namespace, `${like(q.namespace)}.%`);
  }
  if (q.flowId) {
    where.push('flow_id = ?');
    params.push(q.flowId);
  }
  if (q.states && q.states.length > 0) {
    where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
    params.push(...q.states);
  }
  for (const l of q.labels ?? []) {
    where.push(
      "EXISTS (SELECT 1 FROM json_each(executions.labels) j WHERE j.value ->> 'key' = ? AND j.value ->> 'value' = ?)",
    );
    params.push(l.key, l.value);
  }
  for (const w of q.where ?? []) {
    const col = w.field === 'flowId' ? 'flow_id' : w.field;
    const marks = w.values.map(() => '?').join(', ');
    switch (w.op) {
      case 'EQUALS':
      case 'IN':
        where.push(`${col} IN (${marks})`);
        params.push(...w.values);
        break;
      case 'NOT_EQUALS':
      case 'NOT_IN':
        where.push(`${col} NOT IN (${marks})`);
        params.push(...w.values);
        break;
      case 'PREFIX':
        where.push(`(${col} = ? OR ${col} LIKE ? ESCAPE '\\')`);
        params.push(w.values[0], `${like(w.values[0]!)}.%`);
        break;
      case 'STARTS_WITH':
        where.push(`${col} LIKE ? ESCAPE '\\'`);
        params.push(`${like(w.values[0]!)}%`);
        break;
      case 'ENDS_WITH':
        where.push(`${col} LIKE ? ESCAPE '\\'`);
        params.push(`%${like(w.values[0]!)}`);
        break;
      case 'CONTAINS':
        where.push(`${col} LIKE ? ESCAPE '\\'`);
        params.push(`%${like(w.values[0]!)}%`);
        break;
    }
  }
  for (const l of q.notLabels ?? []) {
    where.push(
      "NOT EXISTS (SELECT 1 FROM json_each(executions.labels) j WHERE j.value ->> 'key' = ? AND j.value ->> 'value' = ?)",
    );
    params.push(l.key, l.value);
  }
  if (q.q) {
    const text = `%${like(q.q.toLowerCase())}%`;
    where.push(
      "(lower(id) LIKE ? ESCAPE '\\' OR lower(namespace) LIKE ? ESCAPE '\\' OR lower(flow_id) LIKE ? ESCAPE '\\')",
    );
    params.push(text, text, text);
  }
  if (q.startDate) {
    where.push('start_date >= ?');
    params.push(q.startDate);
  }
  if (q.endDate) {
    where.push('start_date <= ?');
    params.push(q.endDate);
  }
  for (const g of q.groups ?? []) {
    const parts = g.children.map((child) => {
      const sub = filterSql(child);
      params.push(...sub.params);
      return sub.where.length > 0 ? `(${sub.where.join(' AND ')})` : '1 = 1';
    });
    if (parts.length > 0) where.push(`(${parts.join(g.logical === 'or' ? ' OR ' : ' AND ')})`);
  }
  return { where, params };
}
