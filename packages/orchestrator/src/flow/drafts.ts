import type { FlowRecord, FlowRepository } from '../ports/flow-repository.js';

/**
 * Kestra 2.0's drafts (PR #15717): a revision saved with `?draft=true` is
 * skipped by whatever runs a flow without naming a revision (executions,
 * schedules, webhooks, Flow triggers, subflows). Answers the revision to run:
 * the named one, else the latest that is not a draft; `undefined` when there
 * is none (a draft-only flow cannot be executed).
 *
 * @example
 * executableRevision(repo, 'company.team', 'hello')?.revision; // 2, when revision 3 is a draft
 */
export function executableRevision(
  repo: Pick<FlowRepository, 'get' | 'revisions'>,
  namespace: string,
  id: string,
  revision?: number,
): FlowRecord | undefined {
  if (revision !== undefined) return repo.get(namespace, id, { revision });
  const current = repo.get(namespace, id);
  if (!current?.flow.draft) return current;
  return publishedOf(repo, current);
}

/** The latest non-draft revision of a live flow whose current revision is `current`. */
export function publishedOf(
  repo: Pick<FlowRepository, 'revisions'>,
  current: FlowRecord,
): FlowRecord | undefined {
  if (!current.flow.draft) return current;
  const revisions = repo.revisions(current.namespace, current.id);
  for (let i = revisions.length - 1; i >= 0; i--) {
    const r = revisions[i]!;
    if (r.revision <= current.revision && !r.flow.draft && !r.deleted) return r;
  }
  return undefined;
}
