import { describe, expect, it } from 'vitest';
import { parseFlow } from '../flow/parse-flow.js';
import { FlowExistsError, type FlowRepository } from '../ports/flow-repository.js';

const source = (ns: string, id: string, extra = '') =>
  `# a comment kept byte for byte\nid: ${id}\nnamespace: ${ns}\n${extra}tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

const flowOf = (text: string) => {
  const r = parseFlow(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.flow;
};

const t0 = new Date('2025-01-01T00:00:00.000Z');
const t1 = new Date('2025-01-02T00:00:00.000Z');

/**
 * The behaviour every `FlowRepository` must have; run it against each
 * implementation with a fresh, empty store per test.
 *
 * @example
 * flowRepositoryContract('sqlite', () => new SqliteFlowRepository(openDatabase(tempFile())));
 */
export function flowRepositoryContract(name: string, make: () => FlowRepository): void {
  describe(`FlowRepository contract: ${name}`, () => {
    const create = (repo: FlowRepository, ns: string, id: string, extra = '', at = t0) => {
      const text = source(ns, id, extra);
      return repo.create(text, flowOf(text), at);
    };

    it('creates revision 1 and keeps the source byte for byte', () => {
      const repo = make();
      const saved = create(repo, 'company.team', 'hello');
      expect(saved.revision).toBe(1);
      expect(saved.flow.revision).toBe(1);
      const got = repo.get('company.team', 'hello');
      expect(got?.source).toBe(source('company.team', 'hello'));
      expect(got?.flow.tasks[0]?.id).toBe('hello');
      expect(got?.updated).toBe(t0.toISOString());
    });

    it('refuses to create a flow that exists', () => {
      const repo = make();
      create(repo, 'company.team', 'hello');
      expect(() => create(repo, 'company.team', 'hello')).toThrow(FlowExistsError);
    });

    it('adds a revision only when the source changed', () => {
      const repo = make();
      create(repo, 'a', 'f');
      const same = source('a', 'f');
      expect(repo.update(same, flowOf(same), t1)).toMatchObject({ changed: false, record: { revision: 1 } });
      const next = source('a', 'f', 'description: v2\n');
      expect(repo.update(next, flowOf(next), t1)).toMatchObject({ changed: true, record: { revision: 2 } });
      expect(repo.revisions('a', 'f').map((r) => r.revision)).toEqual([1, 2]);
      expect(repo.get('a', 'f', { revision: 1 })?.source).toBe(same);
      expect(repo.get('a', 'f')?.flow.description).toBe('v2');
    });

    it('does not update a flow that does not exist', () => {
      const repo = make();
      const text = source('a', 'missing');
      expect(repo.update(text, flowOf(text), t1)).toBeUndefined();
    });

    it('soft-deletes: hidden unless allowDeleted, revisions kept, re-creation continues the revisions', () => {
      const repo = make();
      create(repo, 'a', 'f');
      expect(repo.delete('a', 'f', t1)).toBe(true);
      expect(repo.delete('a', 'f', t1)).toBe(false);
      expect(repo.get('a', 'f')).toBeUndefined();
      expect(repo.get('a', 'f', { allowDeleted: true })?.deleted).toBe(true);
      expect(repo.revisions('a', 'f')).toHaveLength(1);
      expect(repo.listAll()).toEqual([]);
      expect(create(repo, 'a', 'f').revision).toBe(2);
    });

    it('lists, searches with paging and sort, and lists namespaces', () => {
      const repo = make();
      for (const [ns, id] of [
        ['company.team', 'b'],
        ['company.team', 'a'],
        ['company', 'c'],
        ['other', 'd'],
        ['company.teamx', 'e'],
      ] as const)
        create(repo, ns, id);
      expect(repo.listByNamespace('company.team').map((r) => r.id)).toEqual(['a', 'b']);
      expect(repo.listAll()).toHaveLength(5);
      const page1 = repo.search({ page: 1, size: 2, sort: [{ field: 'id', order: 'asc' }] });
      expect(page1.total).toBe(5);
      expect(page1.results.map((r) => r.id)).toEqual(['a', 'b']);
      const page3 = repo.search({ page: 3, size: 2, sort: [{ field: 'id', order: 'asc' }] });
      expect(page3.results.map((r) => r.id)).toEqual(['e']);
      expect(
        repo
          .search({ namespace: 'company.team' })
          .results.map((r) => r.id)
          .sort(),
      ).toEqual(['a', 'b']);
      expect(repo.search({ namespace: 'company' }).total).toBe(4);
      expect(repo.search({ q: 'other' }).results.map((r) => r.id)).toEqual(['d']);
      expect(repo.search({ sort: [{ field: 'id', order: 'desc' }] }).results[0]?.id).toBe('e');
      expect(repo.search({ sourceContains: 'namespace: other' }).total).toBe(1);
      expect(repo.namespaces()).toEqual(['company', 'company.team', 'company.teamx', 'other']);
      expect(repo.namespaces('team')).toEqual(['company.team', 'company.teamx']);
    });
  });
}
