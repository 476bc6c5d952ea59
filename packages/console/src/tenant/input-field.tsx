import type { FlowInput } from '../types';

/** The kind of control that fits a Kestra input type. */
export function controlOf(
  type: string,
):
  | 'text'
  | 'number'
  | 'bool'
  | 'select'
  | 'multi'
  | 'area'
  | 'file'
  | 'secret'
  | 'datetime'
  | 'date'
  | 'time' {
  switch (type.toUpperCase()) {
    case 'INT':
    case 'FLOAT':
      return 'number';
    case 'BOOLEAN':
    case 'BOOL':
      return 'bool';
    case 'SELECT':
    case 'ENUM':
      return 'select';
    case 'MULTISELECT':
      return 'multi';
    case 'JSON':
    case 'YAML':
    case 'ARRAY':
      return 'area';
    case 'FILE':
      return 'file';
    case 'SECRET':
      return 'secret';
    case 'DATETIME':
      return 'datetime';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    default:
      return 'text';
  }
}

/** A default shown in a text control (`defaults` may be a string, number, list or map). */
export function defaultText(input: FlowInput): string {
  const d = input.defaults;
  if (d === undefined || d === null) return '';
  return typeof d === 'string'
    ? d
    : typeof d === 'number' || typeof d === 'boolean'
      ? String(d)
      : JSON.stringify(d);
}

/**
 * One labelled control for a flow input. Values go to the server as typed
 * (numbers included, as text): the orchestrator checks them and names the
 * input and the bad value when one is wrong.
 */
export function InputField({ input }: { input: FlowInput }) {
  const name = input.id;
  const control = controlOf(input.type);
  const required = input.required !== false && input.defaults === undefined;
  const label = (
    <>
      {name}{' '}
      <span class="muted">
        ({input.type}
        {required ? ', required' : ''})
      </span>
    </>
  );
  const common = { name, id: `input-${name}`, 'aria-required': required ? 'true' : undefined } as const;
  const dflt = defaultText(input);
  let field: preact.JSX.Element;
  switch (control) {
    case 'bool':
      field = (
        <select {...common}>
          <option value="">—</option>
          <option selected={dflt === 'true'}>true</option>
          <option selected={dflt === 'false'}>false</option>
        </select>
      );
      break;
    case 'select':
      field = (
        <select {...common}>
          <option value="">—</option>
          {(input.values ?? []).map((v) => (
            <option key={v} selected={v === dflt}>
              {v}
            </option>
          ))}
        </select>
      );
      break;
    case 'multi':
      field = (
        <select {...common} multiple>
          {(input.values ?? []).map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      );
      break;
    case 'area':
      field = <textarea {...common} rows={4} defaultValue={dflt} />;
      break;
    case 'file':
      field = <input {...common} type="file" />;
      break;
    case 'secret':
      field = <input {...common} type="password" autoComplete="off" defaultValue={dflt} />;
      break;
    case 'datetime':
      field = <input {...common} type="datetime-local" step="1" />;
      break;
    case 'date':
    case 'time':
      field = <input {...common} type={control} defaultValue={dflt} />;
      break;
    case 'number':
      field = (
        <input
          {...common}
          type="text"
          inputMode={input.type.toUpperCase() === 'INT' ? 'numeric' : 'decimal'}
          defaultValue={dflt}
        />
      );
      break;
    default:
      field = <input {...common} type="text" defaultValue={dflt} />;
  }
  return (
    <div class="field">
      <label for={`input-${name}`}>{label}</label>
      {field}
      {input.description ? <span class="muted">{input.description}</span> : null}
    </div>
  );
}

/**
 * The form's values as the multipart body Kestra's UI sends: empty fields are
 * left out (the server applies defaults), multi-selects as a JSON list,
 * date-times as ISO-8601 in UTC.
 */
export function inputsBody(form: HTMLFormElement, inputs: FlowInput[]): FormData {
  const data = new FormData();
  for (const input of inputs) {
    const el = form.elements.namedItem(input.id);
    if (el === null) continue;
    const control = controlOf(input.type);
    if (control === 'file') {
      const file = (el as HTMLInputElement).files?.[0];
      if (file) data.append(input.id, file, file.name);
    } else if (control === 'multi') {
      const picked = [...(el as HTMLSelectElement).selectedOptions].map((o) => o.value);
      if (picked.length > 0) data.append(input.id, JSON.stringify(picked));
    } else {
      const value = (el as HTMLInputElement).value;
      if (value === '') continue;
      data.append(input.id, control === 'datetime' ? new Date(value).toISOString() : value);
    }
  }
  return data;
}
