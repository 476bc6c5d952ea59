import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** Colour class of an execution or task-run state. */
export function stateClass(state: string): string {
  switch (state) {
    case 'SUCCESS':
      return 'ok';
    case 'FAILED':
    case 'KILLED':
      return 'bad';
    case 'WARNING':
    case 'PAUSED':
    case 'KILLING':
      return 'warn';
    case 'RUNNING':
    case 'RETRYING':
    case 'RESTARTED':
      return 'run';
    default:
      return 'idle';
  }
}

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge ${stateClass(state)}`}>{state}</span>;
}

/** A date as people read it here (local time), or a dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function durationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** An error box the screen reader announces. */
export function Alert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" class="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/**
 * Loads data with `load`, again whenever `deps` change or `reload()` is
 * called; `every` (ms) polls. Returns the last data, the last error, loading.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], every?: number) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    load().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
      },
      (e: unknown) => mine === seq.current && setError(e),
    );
    if (every === undefined) return;
    const timer = setTimeout(() => setTick((t) => t + 1), every);
    return () => clearTimeout(timer);
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/** Runs an action, keeps its error for display and a busy flag for the button. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section aria-label={title} class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
