/** 0001: the instance's own metadata. Append-only: never edit a migration that has shipped. */
export default /* sql */ `
CREATE TABLE silo_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`;
