-- Scenario 12: expires the sessions of one month [:'lo', :'hi') of the generated history, by :method —
--   delete: the batched DELETE retention ran before issue 18 (5 000 rows a statement, each its own commit, the
--           statement of session/SessionExpiry with its session_ids CTE);
--   drop:   what retention does now for a whole month (session/SessionPartitions): the month's session_ids in
--           keyset batches of 5 000, then DROP TABLE of the partition.
-- Prints rows|elapsed ms|WAL bytes (pg_current_wal_lsn() before and after; a CHECKPOINT first so that neither
-- side pays the other's full-page images).
\set ON_ERROR_STOP on
CHECKPOINT;
SELECT set_config('bench.lo', :'lo', false) AS c1, set_config('bench.hi', :'hi', false) AS c2,
       set_config('bench.part', :'part', false) AS c3, set_config('bench.method', :'method', false) AS c4 \gset
SELECT pg_current_wal_lsn() AS lsn0, clock_timestamp() AS t0 \gset
DO $$
DECLARE
  n bigint;
  total bigint := 0;
  last uuid := '00000000-0000-0000-0000-000000000000';
  first boolean := true;
BEGIN
  IF current_setting('bench.method') = 'delete' THEN
    LOOP
      WITH d AS (
        DELETE FROM playback_sessions WHERE (id, started_at) IN (
          SELECT id, started_at FROM playback_sessions
          WHERE started_at >= current_setting('bench.lo')::timestamptz
            AND started_at < current_setting('bench.hi')::timestamptz AND ended_at IS NOT NULL LIMIT 5000)
        RETURNING id)
      DELETE FROM session_ids WHERE id IN (SELECT id FROM d);
      GET DIAGNOSTICS n = ROW_COUNT;
      total := total + n;
      COMMIT;
      EXIT WHEN n < 5000;
    END LOOP;
  ELSE
    LOOP
      EXECUTE format(
        'WITH b AS (SELECT id, started_at FROM %I WHERE id %s $1 ORDER BY id LIMIT 5000),
              d AS (DELETE FROM session_ids s USING b WHERE s.id = b.id AND s.started_at = b.started_at)
         SELECT count(*), (SELECT id FROM b ORDER BY id DESC LIMIT 1) FROM b',
        current_setting('bench.part'), CASE WHEN first THEN '>=' ELSE '>' END)
        INTO n, last USING last;
      first := false;
      total := total + n;
      COMMIT;
      EXIT WHEN n < 5000;
    END LOOP;
    EXECUTE format('DROP TABLE %I', current_setting('bench.part'));
    COMMIT;
  END IF;
  PERFORM set_config('bench.rows', total::text, false);
END $$;
SELECT current_setting('bench.rows') || '|'
       || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000)::text || '|'
       || pg_wal_lsn_diff(pg_current_wal_lsn(), :'lsn0')::bigint::text;
