import { z } from 'zod';
import { KestraVersionSchema } from './dialect.js';

/**
 * Where an instance answers the migration report of its flows (behind the
 * instance token; the gateway's `GET /admin/v1/tenants/{id}/migration`).
 * Query: `to=2.0`.
 */
export const MIGRATION_PATH = '/_silo/migration';

/**
 * How a flow moves to the next Kestra dialect:
 * - `clean`: it is valid as written;
 * - `automatic`: a mechanical rewrite (`proposedYaml`) makes it valid, with the same behaviour;
 * - `manual`: something needs a person (each reason says what).
 */
export const FLOW_MIGRATION_STATUSES = ['clean', 'automatic', 'manual'] as const;
export type FlowMigrationStatus = (typeof FLOW_MIGRATION_STATUSES)[number];

export const MigrationReasonSchema = z.object({
  /** YAML path: `tasks[0].inputs`, `triggers[1].conditions`. */
  path: z.string(),
  /** 1-based line in the flow's source (0 when not known). */
  line: z.number().int(),
  message: z.string(),
  /** `automatic`: rewritten in `proposedYaml`; `manual`: left for a person. */
  kind: z.enum(['automatic', 'manual']),
});
export type MigrationReason = z.infer<typeof MigrationReasonSchema>;

export const FlowMigrationSchema = z.object({
  status: z.enum(FLOW_MIGRATION_STATUSES),
  reasons: z.array(MigrationReasonSchema),
  /** Only for `automatic` (and `manual` flows that also have automatic parts): the rewritten YAML, comments kept. */
  proposedYaml: z.string().optional(),
});
export type FlowMigration = z.infer<typeof FlowMigrationSchema>;

/** One flow of a tenant in the report. */
export const FlowMigrationEntrySchema = FlowMigrationSchema.extend({
  namespace: z.string(),
  id: z.string(),
  revision: z.number().int(),
});
export type FlowMigrationEntry = z.infer<typeof FlowMigrationEntrySchema>;

/** What `GET /_silo/migration?to=` answers (and the gateway's report carries). */
export const MigrationReportSchema = z.object({
  from: KestraVersionSchema,
  to: KestraVersionSchema,
  summary: z.object({ clean: z.number().int(), automatic: z.number().int(), manual: z.number().int() }),
  flows: z.array(FlowMigrationEntrySchema),
});
export type MigrationReport = z.infer<typeof MigrationReportSchema>;
