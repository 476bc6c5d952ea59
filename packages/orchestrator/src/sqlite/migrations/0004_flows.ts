/**
 * 0004: flows. Every revision is kept in `flow_revisions` with its source YAML
 * byte for byte (comments included) and the normalised flow as JSON; `flows`
 * holds the current revision of each flow for listing and search. Deleting a
 * flow is soft: `deleted = 1` on the head, revisions stay.
 * Append-only: never edit a migration that has shipped.
 */
export default /* sql */ `
CREATE TABLE flow_revisions (
  namespace  TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  revision   INTEGER NOT NULL,
  source     TEXT    NOT NULL,
  flow_json  TEXT    NOT NULL,
  deleted    INTEGER NOT NULL DEFAULT 0,
  updated    TEXT    NOT NULL,
  PRIMARY KEY (namespace, id, revision)
) STRICT;

CREATE TABLE flows (
  namespace   TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  deleted     INTEGER NOT NULL DEFAULT 0,
  updated     TEXT    NOT NULL,
  description TEXT,
  PRIMARY KEY (namespace, id),
  FOREIGN KEY (namespace, id, revision) REFERENCES flow_revisions (namespace, id, revision)
) STRICT;

CREATE INDEX flows_live_namespace ON flows (deleted, namespace, id);
CREATE INDEX flows_live_updated ON flows (deleted, updated);
`;
