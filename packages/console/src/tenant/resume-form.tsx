import type { Client } from '../api';
import type { Execution, Flow, FlowInput, Task } from '../types';
import { Alert, useAction } from '../ui';
import { InputField, inputsBody } from './input-field';

/** The task of a flow with this id, searched through every branch. */
function findTask(tasks: Task[] | undefined, id: string): Task | undefined {
  for (const t of tasks ?? []) {
    if (t.id === id) return t;
    const branches = [
      t.tasks,
      t.then,
      t.else,
      t.errors,
      t.finally,
      t.defaults,
      ...Object.values(t.cases ?? {}),
    ];
    for (const b of branches) {
      const found = findTask(b, id);
      if (found) return found;
    }
  }
  return undefined;
}

/** Resumes a paused execution, with the paused task's `onResume` inputs as a form. */
export function ResumeForm(props: { api: Client; execution: Execution; flow: Flow; onResumed: () => void }) {
  const paused = (props.execution.taskRunList ?? []).find((tr) => tr.state.current === 'PAUSED');
  const task = paused
    ? findTask([...(props.flow.tasks ?? []), ...(props.flow.errors ?? [])], paused.taskId)
    : undefined;
  const inputs = (Array.isArray(task?.onResume) ? task.onResume : []) as FlowInput[];
  const resume = useAction();
  return (
    <form
      aria-label="Resume execution"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        void resume.run(async () => {
          await props.api.request(
            'POST',
            `/executions/${encodeURIComponent(props.execution.id)}/actions/resume`,
            {
              form: inputsBody(form, inputs),
            },
          );
          props.onResumed();
        });
      }}
    >
      <p>
        Paused at <b>{paused?.taskId ?? '?'}</b>.
      </p>
      <div class="grid2">
        {inputs.map((i) => (
          <InputField key={i.id} input={i} />
        ))}
      </div>
      <button type="submit" disabled={resume.busy}>
        Resume
      </button>
      <Alert error={resume.error} />
    </form>
  );
}
