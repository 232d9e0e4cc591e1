-- People and titles (issue 13): the sessions recorded before V5 name their users and items by id only.
-- Give each of them a users / content row (names unknown, titles as the sessions said), so the people list
-- covers everyone who ever watched and a session's content block is never missing for old data. From here
-- on the session registry alone writes these tables (every start upserts them).
INSERT INTO users (id, first_seen_at, last_seen_at)
SELECT user_id, min(started_at), max(started_at) FROM playback_sessions GROUP BY user_id
ON CONFLICT (id) DO NOTHING;

INSERT INTO content (id, content_type, title)
SELECT DISTINCT ON (content_id) content_id, content_type, content_title
FROM playback_sessions
ORDER BY content_id, started_at DESC
ON CONFLICT (id) DO NOTHING;

-- GET /users/{id}: the servers a person was seen on, from their sessions (the history index has no server)
CREATE INDEX playback_sessions_user_server ON playback_sessions (user_id, server_id) WHERE server_id IS NOT NULL;
