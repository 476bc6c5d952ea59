import { FilterFailure } from './call-args.js';
import { getAttribute } from './safe-access.js';

type Step = { kind: 'key'; key: string | number; optional: boolean } | { kind: 'iterate'; optional: boolean };

/**
 * A small subset of jq, enough for the paths flows use with Kestra's `jq`
 * filter: `.`, `.key`, `.key.sub`, `."a b"`, `.[0]`, `.["key"]`, `.[]`,
 * `?` after a step, and `|` between paths. Like Kestra's filter it returns
 * the list of all results (`["my-complex"]`). Anything else is refused with
 * a clear message rather than guessed.
 *
 * @example
 * ```ts
 * jq({ a: [1, 2] }, '.a[]'); // [1, 2]
 * ```
 */
export function jq(input: unknown, expression: string): unknown[] {
  let values: unknown[] = [input];
  for (const part of expression.split('|')) {
    const steps = parsePath(part.trim(), expression);
    values = values.flatMap((v) => apply(v, steps));
  }
  return values;
}

function parsePath(path: string, whole: string): Step[] {
  const fail = (): never => {
    throw new FilterFailure(
      `Unsupported jq expression '${whole}': only paths like .a.b, .[0], .[] are supported`,
    );
  };
  if (!path.startsWith('.')) fail();
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') {
      i++;
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(i));
      if (name) {
        steps.push({ kind: 'key', key: name[0], optional: false });
        i += name[0].length;
      } else if (path[i] === '"') {
        const end = path.indexOf('"', i + 1);
        if (end === -1) fail();
        steps.push({ kind: 'key', key: path.slice(i + 1, end), optional: false });
        i = end + 1;
      } else if (i < path.length && path[i] !== '[') {
        fail();
      }
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end === -1) fail();
      const inner = path.slice(i + 1, end).trim();
      if (inner === '') steps.push({ kind: 'iterate', optional: false });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'key', key: Number(inner), optional: false });
      else if (/^"[^"]*"$/.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1), optional: false });
      else fail();
      i = end + 1;
    } else if (path[i] === '?') {
      const last = steps[steps.length - 1];
      if (!last) fail();
      (last as Step).optional = true;
      i++;
    } else {
      fail();
    }
  }
  return steps;
}

function apply(input: unknown, steps: Step[]): unknown[] {
  let values: unknown[] = [input];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of values) {
      if (step.kind === 'iterate') {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
        else if (!step.optional)
          throw new FilterFailure(`Cannot iterate over ${v === null ? 'null' : typeof v}`);
        continue;
      }
      if (v === null) {
        next.push(null);
        continue;
      }
      let key = step.key;
      if (typeof key === 'number' && Array.isArray(v) && key < 0) key = v.length + key;
      if (typeof key === 'number' && !Array.isArray(v)) {
        if (step.optional) continue;
        throw new FilterFailure(`Cannot index ${typeof v} with number`);
      }
      if (typeof key === 'string' && (Array.isArray(v) || typeof v !== 'object')) {
        if (step.optional) continue;
        throw new FilterFailure(`Cannot index ${Array.isArray(v) ? 'array' : typeof v} with "${key}"`);
      }
      const result = getAttribute(v, key);
      if (!result.found && result.reason === 'forbidden')
        throw new FilterFailure(result.message, 'FORBIDDEN');
      next.push(result.found ? result.value : null);
    }
    values = next;
  }
  return values;
}
