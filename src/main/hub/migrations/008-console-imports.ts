/**
 * Photo imports started from the admin console (`POST /api/v1/hub/imports`): one row per uploaded zip,
 * its progress counted as the import goes, so whichever hub process a console's poll reaches (behind a
 * load balancer) answers the same. Each person's own outcome is in `import_items` (migration 6), written
 * with the person; this row is the summary an operator watches. Rejections keep their codes for the
 * console to translate, and no picture: the photos are deleted when the import ends.
 */
export const sql = /* sql */ `
CREATE TABLE console_imports (
  id           uuid PRIMARY KEY,
  site_id      bigint NOT NULL REFERENCES sites ON DELETE CASCADE,
  started_by   text NOT NULL,
  state        text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
  total        integer NOT NULL,
  done         integer NOT NULL DEFAULT 0,
  enrolled     integer NOT NULL DEFAULT 0,
  skipped      integer NOT NULL DEFAULT 0,
  rejected     integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  rejections   jsonb NOT NULL DEFAULT '[]',
  failures     jsonb NOT NULL DEFAULT '[]',
  problems     jsonb NOT NULL DEFAULT '[]',
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX console_imports_started ON console_imports (started_at DESC);
`;
