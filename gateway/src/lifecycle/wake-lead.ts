/**
 * A tenant's wake lead: `leadMs` plus a share of `leadMs` fixed by a hash of
 * its id (FNV-1a), so leads spread evenly over [lead, 2 × lead) and stay the
 * same from one wake to the next.
 *
 * @example
 * wakeLeadOf('acme', 2_000); // between 2000 and 3999, always the same for acme
 */
export function wakeLeadOf(tenantId: string, leadMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < tenantId.length; i++) {
    hash ^= tenantId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // murmur3's final mix: ids that differ in their last character land far apart.
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0;
  hash = (hash ^ (hash >>> 16)) >>> 0;
  return leadMs + Math.floor((hash / 2 ** 32) * leadMs);
}
