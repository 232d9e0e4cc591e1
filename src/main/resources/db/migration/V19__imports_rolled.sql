-- The transaction starts of imports whose roll-up has already run (written by the stats verticle alone, when
-- the roll-up it was asked for after an import's commit succeeded). Every row of an import carries its
-- transaction's start as created_at, so these are exactly the imported rows' created_at values: the
-- late-report path (RollupStateStore.LATE_SPAN) reads the partial index playback_sessions_late by ranges that
-- leave these instants out, instead of re-rolling an import's whole span on every run until the watermark
-- passes its transaction's start (about 5 minutes after it: every periodic run in between re-rolled years of
-- imported history). Stamps at or below late_watermark are dropped whenever it moves (the watermark alone
-- excludes them then), so this holds a handful of instants at most.
ALTER TABLE rollup_state ADD COLUMN imports_rolled timestamptz[] NOT NULL DEFAULT '{}';
