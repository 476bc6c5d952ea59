/**
 * Multiple-condition windows of Flow triggers (MultipleCondition and
 * `preconditions`): per (namespace, flow, condition) the current window and
 * which of its conditions held (`results`, JSON: key → ISO time). Append-only.
 */
export default /* sql */ `
CREATE TABLE condition_windows (
  namespace    TEXT NOT NULL,
  flow_id      TEXT NOT NULL,
  condition_id TEXT NOT NULL,
  start_at     TEXT NOT NULL,
  end_at       TEXT NOT NULL,
  results      TEXT NOT NULL,
  PRIMARY KEY (namespace, flow_id, condition_id)
) STRICT;
`;
