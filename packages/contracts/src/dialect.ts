import { z } from 'zod';

/**
 * The Kestra dialects an instance speaks (DESIGN.md, "Wave 2 surface"). One
 * engine underneath: a dialect is a layer of parsing, validation messages and
 * JSON mapping over one model. A tenant has one; its instance learns it at
 * start from `SILO_KESTRA_VERSION`.
 */
export const KESTRA_VERSIONS = ['1.3', '2.0'] as const;
export type KestraVersion = (typeof KESTRA_VERSIONS)[number];

export const KestraVersionSchema = z.enum(KESTRA_VERSIONS, {
  message: `kestraVersion must be one of ${KESTRA_VERSIONS.map((v) => `"${v}"`).join(', ')}`,
});

/** The dialect of a tenant created without one. */
export const DEFAULT_KESTRA_VERSION_FOR_NEW_TENANTS: KestraVersion = '2.0';
/** The dialect of a tenant (or an instance) that predates dialects. */
export const LEGACY_KESTRA_VERSION: KestraVersion = '1.3';
