import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Client } from '../api';
import { followSse } from '../sse';
import type { LogEntry } from '../types';
import { Alert } from '../ui';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The execution's logs, followed live over SSE, with a minimum level and a text search. */
export function LogsPanel({
  api,
  executionId,
  generation,
}: {
  api: Client;
  executionId: string;
  generation: number;
}) {
  const [logs, setLogs] = useState<LogEntry[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [level, setLevel] = useState('INFO');
  const [q, setQ] = useState('');
  useEffect(() => {
    const ac = new AbortController();
    const seen: LogEntry[] = [];
    setLogs([]);
    followSse(
      `${api.base}/logs/${encodeURIComponent(executionId)}/follow`,
      api.headers(),
      (e) => {
        seen.push(JSON.parse(e.data) as LogEntry);
        setLogs([...seen]);
      },
      ac.signal,
    ).catch(setError);
    return () => ac.abort();
  }, [api, executionId, generation]);
  const shown = useMemo(() => {
    const min = LEVELS.indexOf(level);
    const needle = q.trim().toLowerCase();
    return logs.filter(
      (l) =>
        LEVELS.indexOf(l.level) >= min &&
        (needle === '' || l.message.toLowerCase().includes(needle) || (l.taskId ?? '').includes(needle)),
    );
  }, [logs, level, q]);
  return (
    <div>
      <div class="row">
        <label>
          Minimum level
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            {LEVELS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Search logs
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <span class="muted">
          {shown.length} of {logs.length} line(s)
        </span>
      </div>
      <Alert error={error} />
      <div class="logs" role="log" aria-label="Logs">
        {shown.map((l, i) => (
          <div key={i} class={`lvl-${l.level}`}>
            {new Date(l.timestamp).toLocaleTimeString()} {l.level} {l.taskId ?? ''} {l.message}
          </div>
        ))}
      </div>
    </div>
  );
}
