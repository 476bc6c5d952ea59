import type { Input } from '../flow-model.js';
import { InputFailure, javaString } from './input-failure.js';
import { parseDuration, parseInstant, parseLocalDate, parseLocalTime } from './java-time.js';

type Bound = { value: number; text: string };

function bound(raw: unknown, read: (s: string) => Bound, what: string): Bound | undefined {
  if (raw === undefined || raw === null) return undefined;
  try {
    return read(raw instanceof Date ? raw.toISOString() : String(raw));
  } catch {
    throw new InputFailure(`its ${what} \`${javaString(raw)}\` is not valid`);
  }
}

function checkRange(
  value: number,
  min: Bound | undefined,
  max: Bound | undefined,
  words: [string, string],
): void {
  if (min !== undefined && value < min.value)
    throw new InputFailure(`it must be ${words[0]} \`${min.text}\``);
  if (max !== undefined && value > max.value)
    throw new InputFailure(`it must be ${words[1]} \`${max.text}\``);
}

const numberBound = (s: string): Bound => {
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new Error('not a number');
  return { value: n, text: String(n) };
};
const instantBound = (s: string): Bound => {
  const p = parseInstant(s);
  return { value: p.epochMs + p.nanos / 1e6, text: p.text };
};
const dateBound = (s: string): Bound => {
  const p = parseLocalDate(s);
  return { value: p.day, text: p.text };
};
const timeBound = (s: string): Bound => {
  const p = parseLocalTime(s);
  return { value: p.nanoOfDay, text: p.text };
};
const durationBound = (s: string): Bound => {
  const p = parseDuration(s);
  return { value: p.seconds, text: p.text };
};

/** A Java regex as a whole-string JavaScript one (`String.matches` semantics). */
function fullMatch(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    try {
      return new RegExp(`^(?:${pattern})$`);
    } catch {
      throw new InputFailure(`the validator pattern \`${pattern}\` is not a valid regular expression`);
    }
  }
}

function allowed(input: Input): string[] {
  return (input.values ?? []).map((v) => javaString(v));
}

/**
 * Kestra's `Input.validate` for each type, on the parsed value: `validator`
 * (STRING), `min`/`max` (INT, FLOAT, DURATION), `after`/`before` (DATETIME,
 * DATE, TIME), `values` (ENUM, SELECT, MULTISELECT). Throws `InputFailure`
 * with Kestra's wording ("it must be more than `10`").
 */
export function validateInputValue(input: Input, value: unknown): void {
  const customAllowed = input.props.allowCustomValue === true;
  switch (input.type) {
    case 'STRING':
      if (input.validator !== undefined && !fullMatch(input.validator).test(String(value))) {
        throw new InputFailure(`it must match the pattern \`${input.validator}\``);
      }
      return;
    case 'INT':
    case 'FLOAT':
      checkRange(
        value as number,
        bound(input.min, numberBound, 'min'),
        bound(input.max, numberBound, 'max'),
        ['more than', 'less than'],
      );
      return;
    case 'DURATION':
      checkRange(
        parseDuration(String(value)).seconds,
        bound(input.min, durationBound, 'min'),
        bound(input.max, durationBound, 'max'),
        ['more than', 'less than'],
      );
      return;
    case 'DATETIME':
      checkRange(
        instantBound(String(value)).value,
        bound(input.after, instantBound, 'after'),
        bound(input.before, instantBound, 'before'),
        ['after', 'before'],
      );
      return;
    case 'DATE':
      checkRange(
        dateBound(String(value)).value,
        bound(input.after, dateBound, 'after'),
        bound(input.before, dateBound, 'before'),
        ['after', 'before'],
      );
      return;
    case 'TIME':
      checkRange(
        timeBound(String(value)).value,
        bound(input.after, timeBound, 'after'),
        bound(input.before, timeBound, 'before'),
        ['after', 'before'],
      );
      return;
    case 'ENUM':
    case 'SELECT': {
      const values = allowed(input);
      if (!customAllowed && !values.includes(String(value))) {
        throw new InputFailure(`it must match the values \`[${values.join(', ')}]\``);
      }
      return;
    }
    case 'MULTISELECT': {
      const values = allowed(input);
      if (customAllowed || input.values === undefined) return;
      for (const item of value as unknown[]) {
        if (!values.includes(javaString(item))) {
          throw new InputFailure(
            `value \`${javaString(item)}\` doesn't match the values \`[${values.join(', ')}]\``,
          );
        }
      }
      return;
    }
    default:
      return;
  }
}
