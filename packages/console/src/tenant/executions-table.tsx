import { href } from '../router';
import type { Execution } from '../types';
import { StateBadge, when } from '../ui';

/** A table of executions, each linking to its page. */
export function ExecutionsTable({ executions, caption }: { executions: Execution[]; caption: string }) {
  return (
    <table aria-label="Executions">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Execution</th>
          <th scope="col">Flow</th>
          <th scope="col">State</th>
          <th scope="col">Started</th>
          <th scope="col">Labels</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => (
          <tr key={e.id}>
            <td>
              <a href={href('executions', e.id)}>{e.id}</a>
            </td>
            <td>
              {e.namespace}.{e.flowId}
            </td>
            <td>
              <StateBadge state={e.state.current} />
            </td>
            <td>{when(e.state.startDate)}</td>
            <td class="muted">{(e.labels ?? []).map((l) => `${l.key}:${l.value}`).join(' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
