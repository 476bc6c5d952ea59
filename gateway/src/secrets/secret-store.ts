/** A secret as listed: its name and when it was last set, never its value. */
export type SecretEntry = { name: string /** ISO-8601. */; updatedAt: string };

/**
 * What a secret store needs to keep values encrypted at rest
 * (`SecretCipher`); `context` is the row's identity (`tenant/name`), bound to
 * the ciphertext so a value copied to another row does not decrypt.
 */
export type SecretValueCipher = {
  encrypt(plain: string, context: string): string;
  decrypt(stored: string, context: string): string;
  /** Whether a stored value is already encrypted (plaintext rows from before are encrypted at open). */
  isEncrypted(stored: string): boolean;
};

/**
 * Tenants' secrets, handed to their instances at start (port;
 * `SqliteSecretStore` implements it, the contract is
 * `secret-store.contract.ts`). Values go in and come out in clear text; an
 * adapter given a `SecretValueCipher` stores only ciphertext.
 *
 * @example
 * await secrets.set('acme', 'API_TOKEN', 'hunter2');
 * await secrets.values('acme'); // { API_TOKEN: 'hunter2' }
 */
export interface SecretStore {
  /**
   * Creates or replaces a secret.
   * @throws NotFoundError for an unknown tenant.
   */
  set(tenantId: string, name: string, value: string): Promise<void>;
  /** Names and update times, by name. */
  list(tenantId: string): Promise<SecretEntry[]>;
  /** False when there was no such secret. */
  delete(tenantId: string, name: string): Promise<boolean>;
  /** Every secret of the tenant, decrypted: what its instance gets. */
  values(tenantId: string): Promise<Record<string, string>>;
}
