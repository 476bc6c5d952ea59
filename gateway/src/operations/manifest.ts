import { z } from 'zod';

/** Bump when the archive layout changes; readers refuse a newer format with the fix. */
export const ARCHIVE_FORMAT = 1;
/** The one entry that is not tenant data; written last, once every file's checksum is known. */
export const MANIFEST_ENTRY = 'manifest.json';
/** Tenant data lives under this folder of the archive (`data/silo.db`, `data/storage/...`). */
export const DATA_PREFIX = 'data/';
export const DATABASE_ENTRY = 'data/silo.db';

const FileSchema = z.object({
  path: z.string(),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * What a backup or export archive says about itself. Secrets are not carried
 * (only their names, so that an operator knows what to set again on the
 * target); API keys are not carried either.
 */
export const BackupManifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  tenantId: z.string(),
  tenantName: z.string(),
  limits: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  /** Orchestrator version whose schema the database has. */
  version: z.string(),
  /** Kestra dialect of the tenant (`kestraVersion`, else "1.3" for tenants made before dialects). */
  dialect: z.string(),
  /** The runtime the data came from (`process`, `docker`). */
  runtime: z.string(),
  /** `online`: copied from the running instance; `offline`: read from its stopped folder or volume. */
  mode: z.enum(['online', 'offline']),
  database: z.object({
    schemaVersion: z.number().int(),
    executions: z.number().int(),
    integrity: z.literal('ok'),
  }),
  files: z.array(FileSchema),
  totalBytes: z.number().int(),
  secretNames: z.array(z.string()),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;
export type ManifestFile = z.infer<typeof FileSchema>;
