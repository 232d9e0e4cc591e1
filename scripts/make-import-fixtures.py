#!/usr/bin/env python3
"""Builds the history-import fixtures from each source's real schema (issue 16).

  python3 scripts/make-import-fixtures.py
      writes the small fixtures the importer tests read:
      src/test/resources/importer/{tautulli.db, jellystat-backup.json, playback_reporting.db}

  python3 scripts/make-import-fixtures.py --rows 1000000 --out /tmp/tautulli-1m.db
      writes only a large Tautulli database for the import benchmark (not committed)

Python 3 standard library only. The small fixtures are committed, so the tests never need Python;
the rows below are the ones the tests' hand-computed figures refer to: change both together.

Where each schema comes from (copied verbatim, not paraphrased):
  Tautulli            Tautulli/Tautulli plexpy/__init__.py, dbcheck(), the CREATE TABLE statements
                      of session_history, session_history_media_info, session_history_metadata
                      and users; commit 19d023f44e153eee227ee6a866b78d7613b9e2a7
                      (units from plexpy/activity_processor.py, commit 57576199d97c37d67e221d91a96dc379fd42842d:
                      started/stopped epoch seconds, paused_counter seconds, view_offset and
                      duration milliseconds as Plex reports them, bandwidth kbps)
  Jellystat           CyferShepard/Jellystat backend/classes/backup.js (commit f3158258d7843074214d3c15c40fab8cf6d04a04):
                      the file is JSON.stringify of [{<table>: [rows of SELECT *]}, ...] over the tables of
                      backend/global/backup_tables.js (commit cb9417542be4ecd84ad4dae415ed047b75cce292);
                      columns from backend/migrations 003, 004, 005, 006, 007, 008, 038, 043, 046, 054,
                      066, 072, 094 and the row mappings in backend/models/*.js, repository HEAD
                      3fae9f7e168a8c4728892793c2bebfae78e4c34b. node-postgres writes timestamptz as ISO-8601
                      UTC and bigint (PlaybackDuration, RunTimeTicks) as strings, so the fixture does too.
                      jf_playback_activity.ActivityDateInserted is when the playback ended and
                      PlaybackDuration the seconds played (backend/tasks/ActivityMonitor.js,
                      commit a45d1d3a08364f7eb8866c5ffc8d1438aa16334a).
  Playback Reporting  jellyfin/jellyfin-plugin-playbackreporting
                      Jellyfin.Plugin.PlaybackReporting/Data/ActivityRepository.cs, InitializeInternal()
                      (commit 953854ab03c3c2a43cdcbf8f02855bf308810490); DateCreated is the playback's start in
                      the server's local time, "yyyy-MM-dd HH:mm:ss.FFFFFFF" (Data/SqliteExtensions.cs),
                      ItemName / PlaybackMethod as EventMonitorEntryPoint.cs builds them (repository HEAD
                      694a56a0806af128acb3bb0ac670bf9205be018d).
"""
import argparse
import datetime
import json
import os
import random
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "src", "test", "resources", "importer")

# 2024-03-01T20:00:00Z: every small fixture's times are offsets from it, so tests can compute them.
T0 = 1709323200
DAY = 86400

# --- Tautulli ----------------------------------------------------------------------------------

# Verbatim from Tautulli/Tautulli plexpy/__init__.py @ 19d023f44e153eee227ee6a866b78d7613b9e2a7
TAUTULLI_DDL = [
    (
        "CREATE TABLE IF NOT EXISTS session_history (id INTEGER PRIMARY KEY AUTOINCREMENT, reference_id INTEGER, "
        "started INTEGER, stopped INTEGER, rating_key INTEGER, user_id INTEGER, user TEXT, "
        "ip_address TEXT, paused_counter INTEGER DEFAULT 0, player TEXT, product TEXT, product_version TEXT, "
        "platform TEXT, platform_version TEXT, profile TEXT, machine_id TEXT, "
        "bandwidth INTEGER, location TEXT, quality_profile TEXT, secure INTEGER, relayed INTEGER, "
        "parent_rating_key INTEGER, grandparent_rating_key INTEGER, media_type TEXT, section_id INTEGER, "
        "view_offset INTEGER DEFAULT 0)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS session_history_media_info (id INTEGER PRIMARY KEY, rating_key INTEGER, "
        "video_decision TEXT, audio_decision TEXT, transcode_decision TEXT, duration INTEGER DEFAULT 0, "
        "container TEXT, bitrate INTEGER, width INTEGER, height INTEGER, video_bitrate INTEGER, video_bit_depth INTEGER, "
        "video_codec TEXT, video_codec_level TEXT, video_width INTEGER, video_height INTEGER, video_resolution TEXT, "
        "video_framerate TEXT, video_scan_type TEXT, video_full_resolution TEXT, video_dynamic_range TEXT, aspect_ratio TEXT, "
        "audio_bitrate INTEGER, audio_codec TEXT, audio_channels INTEGER, audio_language TEXT, audio_language_code TEXT, "
        "subtitles INTEGER, subtitle_codec TEXT, subtitle_forced, subtitle_language TEXT,"
        "transcode_protocol TEXT, transcode_container TEXT, transcode_video_codec TEXT, transcode_audio_codec TEXT, "
        "transcode_audio_channels INTEGER, transcode_width INTEGER, transcode_height INTEGER, "
        "transcode_hw_requested INTEGER, transcode_hw_full_pipeline INTEGER, "
        "transcode_hw_decode TEXT, transcode_hw_decode_title TEXT, transcode_hw_decoding INTEGER, "
        "transcode_hw_encode TEXT, transcode_hw_encode_title TEXT, transcode_hw_encoding INTEGER, "
        "stream_container TEXT, stream_container_decision TEXT, stream_bitrate INTEGER, "
        "stream_video_decision TEXT, stream_video_bitrate INTEGER, stream_video_codec TEXT, stream_video_codec_level TEXT, "
        "stream_video_bit_depth INTEGER, stream_video_height INTEGER, stream_video_width INTEGER, stream_video_resolution TEXT, "
        "stream_video_framerate TEXT, stream_video_scan_type TEXT, stream_video_full_resolution TEXT, stream_video_dynamic_range TEXT, "
        "stream_audio_decision TEXT, stream_audio_codec TEXT, stream_audio_bitrate INTEGER, stream_audio_channels INTEGER, "
        "stream_audio_language TEXT, stream_audio_language_code TEXT, "
        "stream_subtitle_decision TEXT, stream_subtitle_codec TEXT, "
        "stream_subtitle_container TEXT, stream_subtitle_forced INTEGER, stream_subtitle_language TEXT, "
        "synced_version INTEGER, synced_version_profile TEXT, "
        "optimized_version INTEGER, optimized_version_profile TEXT, optimized_version_title TEXT)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS session_history_metadata (id INTEGER PRIMARY KEY, "
        "rating_key INTEGER, parent_rating_key INTEGER, grandparent_rating_key INTEGER, "
        "title TEXT, parent_title TEXT, grandparent_title TEXT, original_title TEXT, full_title TEXT, "
        "media_index INTEGER, parent_media_index INTEGER, "
        "thumb TEXT, parent_thumb TEXT, grandparent_thumb TEXT, "
        "art TEXT, media_type TEXT, year INTEGER, originally_available_at TEXT, added_at INTEGER, updated_at INTEGER, "
        "last_viewed_at INTEGER, content_rating TEXT, summary TEXT, tagline TEXT, rating TEXT, "
        "duration INTEGER DEFAULT 0, guid TEXT, directors TEXT, writers TEXT, actors TEXT, genres TEXT, studio TEXT, "
        "labels TEXT, live INTEGER DEFAULT 0, "
        "channel_call_sign TEXT, channel_id TEXT, channel_identifier TEXT, channel_title TEXT, channel_thumb TEXT, channel_vcn TEXT, "
        "marker_credits_first INTEGER DEFAULT NULL, marker_credits_final INTEGER DEFAULT NULL)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "user_id INTEGER DEFAULT NULL UNIQUE, username TEXT NOT NULL, friendly_name TEXT, "
        "thumb TEXT, custom_avatar_url TEXT, title TEXT, email TEXT, "
        "is_active INTEGER DEFAULT 1, is_admin INTEGER DEFAULT 0, is_home_user INTEGER DEFAULT NULL, "
        "is_allow_sync INTEGER DEFAULT NULL, is_restricted INTEGER DEFAULT NULL, "
        "do_notify INTEGER DEFAULT 1, keep_history INTEGER DEFAULT 1, deleted_user INTEGER DEFAULT 0, "
        "allow_guest INTEGER DEFAULT 0, user_token TEXT, server_token TEXT, shared_libraries TEXT, "
        "filter_all TEXT, filter_movies TEXT, filter_tv TEXT, filter_music TEXT, filter_photos TEXT)"
    ),
]

# Plex metadata of the titles the small fixture plays (durations in ms, as Plex reports them).
INCEPTION = dict(rating_key=501, parent_rating_key=None, grandparent_rating_key=None, media_type="movie",
                 title="Inception", parent_title="", grandparent_title="", full_title="Inception",
                 media_index=None, parent_media_index=None, year=2010, duration=8880000, section_id=1)
BB_S01E02 = dict(rating_key=602, parent_rating_key=601, grandparent_rating_key=600, media_type="episode",
                 title="Cat's in the Bag...", parent_title="Season 1", grandparent_title="Breaking Bad",
                 full_title="Breaking Bad - Cat's in the Bag...", media_index=2, parent_media_index=1,
                 year=2008, duration=2880000, section_id=2)
BB_S01E03 = dict(rating_key=603, parent_rating_key=601, grandparent_rating_key=600, media_type="episode",
                 title="...And the Bag's in the River", parent_title="Season 1", grandparent_title="Breaking Bad",
                 full_title="Breaking Bad - ...And the Bag's in the River", media_index=3, parent_media_index=1,
                 year=2008, duration=2880000, section_id=2)
BOHEMIAN = dict(rating_key=701, parent_rating_key=700, grandparent_rating_key=699, media_type="track",
                title="Bohemian Rhapsody", parent_title="A Night at the Opera", grandparent_title="Queen",
                full_title="Queen - Bohemian Rhapsody", media_index=11, parent_media_index=1,
                year=1975, duration=354000, section_id=3)

TAUTULLI_USERS = [
    # user_id, username, friendly_name
    (1001, "alice", "Alice"),
    (1002, "bob", None),          # no friendly name: the importer falls back to username
    (1003, "carol", "Carol C"),
    # 1004 "dave" plays but is not in users (a removed friend): session_history.user names him
]

ALICE_TV = dict(ip="203.0.113.10", player="Living Room TV", product="Plex for Android (TV)", platform="Android",
                machine_id="mach-alice-tv")
ALICE_PHONE = dict(ip="203.0.113.10", player="iPhone", product="Plex for iOS", platform="iOS",
                   machine_id="mach-alice-phone")
BOB_PC = dict(ip="198.51.100.20", player="Bob PC", product="Plex Web", platform="Chrome", machine_id="mach-bob-pc")
CAROL_AMP = dict(ip="192.0.2.30", player="Kitchen Speaker", product="Plexamp", platform="Android",
                 machine_id="mach-carol-amp")
DAVE_ROKU = dict(ip="192.0.2.44", player="Dave TV", product="Plex for Roku", platform="Roku", machine_id="mach-dave-roku")

# id, reference_id, user_id, user, item, device, started, stopped, paused_counter (s), view_offset (ms),
# bandwidth (kbps), transcode_decision, video_resolution
TAUTULLI_ROWS = [
    (1, 1, 1001, "alice", INCEPTION, ALICE_TV, T0, T0 + 3600, 300, 3300000, 21000, "direct play", "1080"),
    # rows 2 and 3 are one chain (reference_id 2): alice stopped and resumed the episode
    (2, 2, 1001, "alice", BB_S01E02, ALICE_PHONE, T0 + DAY, T0 + DAY + 1200, 0, 1200000, 4000, "transcode", "720"),
    (3, 2, 1001, "alice", BB_S01E02, ALICE_PHONE, T0 + DAY + 1800, T0 + DAY + 3480, 60, 2820000, 4000, "transcode", "720"),
    (4, 4, 1002, "bob", INCEPTION, BOB_PC, T0 + 2 * DAY, T0 + 2 * DAY + 5400, 0, 5400000, 45000, "transcode", "4k"),
    # "copy" is Plex's direct stream: remuxed, not re-encoded, so not a transcode
    (5, 5, 1002, "bob", BB_S01E03, BOB_PC, T0 + 2 * DAY + 7200, T0 + 2 * DAY + 10080, 120, 2760000, 8000, "copy", "1080"),
    (6, 6, 1003, "carol", BOHEMIAN, CAROL_AMP, T0 + 3 * DAY, T0 + 3 * DAY + 354, 0, 354000, 320, "direct play", ""),
    # impossible: stopped before started
    (7, 7, 1003, "carol", INCEPTION, CAROL_AMP, T0 + 3 * DAY + 1000, T0 + 3 * DAY + 400, 0, 0, 320, "direct play", "1080"),
    (8, 8, 1004, "dave", BB_S01E02, DAVE_ROKU, T0 + 4 * DAY, T0 + 4 * DAY + 900, 0, 900000, 6000, "direct play", "1080"),
    # impossible: paused longer than the whole session
    (9, 9, 1001, "alice", BB_S01E03, ALICE_TV, T0 + 4 * DAY + 3600, T0 + 4 * DAY + 4200, 900, 600000, 21000, "direct play", "1080"),
    # no user at all
    (10, 10, None, None, INCEPTION, DAVE_ROKU, T0 + 5 * DAY, T0 + 5 * DAY + 100, 0, 100000, 6000, "direct play", "1080"),
]


def tautulli_schema(db):
    for ddl in TAUTULLI_DDL:
        db.execute(ddl)


def tautulli_history(db, row):
    (rid, ref, user_id, user, item, dev, started, stopped, paused, offset, bandwidth, decision, resolution) = row
    db.execute(
        "INSERT INTO session_history (id, reference_id, started, stopped, rating_key, user_id, user, ip_address, "
        "paused_counter, player, product, product_version, platform, platform_version, profile, machine_id, "
        "bandwidth, location, quality_profile, secure, relayed, parent_rating_key, grandparent_rating_key, "
        "media_type, section_id, view_offset) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, ref, started, stopped, item["rating_key"], user_id, user, dev["ip"], paused, dev["player"],
         dev["product"], "1.0", dev["platform"], "14", "Original", dev["machine_id"], bandwidth, "wan",
         "Original", 1, 0, item["parent_rating_key"], item["grandparent_rating_key"], item["media_type"],
         item["section_id"], offset))
    video = decision if item["media_type"] != "track" else ""
    db.execute(
        "INSERT INTO session_history_media_info (id, rating_key, video_decision, audio_decision, transcode_decision, "
        "duration, container, bitrate, video_resolution, stream_video_resolution, stream_bitrate) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, item["rating_key"], video, "direct play", decision, item["duration"], "mkv", bandwidth,
         resolution, resolution, bandwidth))
    db.execute(
        "INSERT INTO session_history_metadata (id, rating_key, parent_rating_key, grandparent_rating_key, title, "
        "parent_title, grandparent_title, original_title, full_title, media_index, parent_media_index, media_type, "
        "year, added_at, duration, guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, item["rating_key"], item["parent_rating_key"], item["grandparent_rating_key"], item["title"],
         item["parent_title"], item["grandparent_title"], "", item["full_title"], item["media_index"],
         item["parent_media_index"], item["media_type"], item["year"], T0 - 365 * DAY, item["duration"],
         "plex://%s/%d" % (item["media_type"], item["rating_key"])))


def tautulli_users(db, users):
    db.executemany("INSERT INTO users (user_id, username, friendly_name) VALUES (?, ?, ?)", users)


def fresh_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return sqlite3.connect(path)


def finish_tautulli(db):
    # Tautulli runs its database in WAL mode (plexpy/config.py JOURNAL_MODE default 'WAL'); the header
    # says so, and the reader must open such a file read-only without its -wal beside it.
    db.commit()
    db.execute("PRAGMA journal_mode = WAL")
    db.close()


def write_small_tautulli(path):
    db = fresh_db(path)
    tautulli_schema(db)
    tautulli_users(db, TAUTULLI_USERS)
    for row in TAUTULLI_ROWS:
        tautulli_history(db, row)
    finish_tautulli(db)


def write_large_tautulli(path, rows, seed):
    """Random but repeatable history for the benchmark: rows/5000 users, a few hundred titles,
    and about 0.1% impossible rows so the skip path is exercised too."""
    rnd = random.Random(seed)
    db = fresh_db(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    tautulli_schema(db)
    user_count = max(10, rows // 5000)
    tautulli_users(db, [(2000 + u, "user%d" % u, "User %d" % u) for u in range(user_count)])
    titles = [INCEPTION, BB_S01E02, BB_S01E03, BOHEMIAN]
    for n in range(300):
        titles.append(dict(rating_key=10000 + n, parent_rating_key=None, grandparent_rating_key=None,
                           media_type="movie", title="Movie %d" % n, parent_title="", grandparent_title="",
                           full_title="Movie %d" % n, media_index=None, parent_media_index=None,
                           year=1980 + n % 45, duration=(80 + n % 70) * 60000, section_id=1))
        titles.append(dict(rating_key=20000 + n, parent_rating_key=19000 + n // 10, grandparent_rating_key=18000 + n // 50,
                           media_type="episode", title="Episode %d" % n, parent_title="Season %d" % (1 + n // 10 % 5),
                           grandparent_title="Show %d" % (n // 50), full_title="Show %d - Episode %d" % (n // 50, n),
                           media_index=1 + n % 10, parent_media_index=1 + n // 10 % 5, year=2000 + n % 25,
                           duration=(22 + n % 40) * 60000, section_id=2))
    devices = [dict(ip="10.%d.%d.%d" % (d // 65536 % 256, d // 256 % 256, d % 256), player="Device %d" % d,
                    product=rnd.choice(["Plex Web", "Plex for iOS", "Plex for Android", "Plex for Roku"]),
                    platform=rnd.choice(["Chrome", "iOS", "Android", "Roku"]), machine_id="mach-%d" % d)
               for d in range(user_count * 3)]
    start = T0 - 3 * 365 * DAY
    step = (3 * 365 * DAY) // max(1, rows)
    batch_h, batch_i, batch_m = [], [], []

    def flush():
        db.executemany(
            "INSERT INTO session_history (id, reference_id, started, stopped, rating_key, user_id, user, ip_address, "
            "paused_counter, player, product, platform, machine_id, bandwidth, media_type, view_offset) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch_h)
        db.executemany(
            "INSERT INTO session_history_media_info (id, rating_key, transcode_decision, duration, video_resolution) "
            "VALUES (?, ?, ?, ?, ?)", batch_i)
        db.executemany(
            "INSERT INTO session_history_metadata (id, rating_key, title, grandparent_title, media_index, "
            "parent_media_index, media_type, year, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch_m)
        batch_h.clear()
        batch_i.clear()
        batch_m.clear()

    for rid in range(1, rows + 1):
        user = rnd.randrange(user_count)
        item = titles[rnd.randrange(len(titles))]
        dev = devices[user * 3 + rnd.randrange(3)]
        started = start + rid * step + rnd.randrange(max(1, step))
        played = rnd.randrange(60, item["duration"] // 1000 + 1)
        paused = rnd.choice((0, 0, 0, rnd.randrange(0, 600)))
        stopped = started + played + paused
        if rnd.random() < 0.001:
            stopped = started - rnd.randrange(1, 3600)
        decision = rnd.choice(("direct play", "direct play", "copy", "transcode"))
        batch_h.append((rid, rid, started, stopped, item["rating_key"], 2000 + user, "user%d" % user, dev["ip"],
                        paused, dev["player"], dev["product"], dev["platform"], dev["machine_id"],
                        rnd.choice((2000, 4000, 8000, 20000)), item["media_type"], min(played, item["duration"] // 1000) * 1000))
        batch_i.append((rid, item["rating_key"], decision, item["duration"], rnd.choice(("1080", "720", "4k", "sd"))))
        batch_m.append((rid, item["rating_key"], item["title"], item["grandparent_title"], item["media_index"],
                        item["parent_media_index"], item["media_type"], item["year"], item["duration"]))
        if len(batch_h) >= 20000:
            flush()
    flush()
    finish_tautulli(db)


# --- Jellystat ---------------------------------------------------------------------------------

SERVER_ID = "5e7e4f0000000000000000000000cafe"
J_ALICE = "a11ce000000000000000000000000001"
J_BOB = "b0b00000000000000000000000000002"
J_ERIN = "e1e10000000000000000000000000003"
J_MOVIES = "f0000000000000000000000000000001"
J_SHOWS = "f0000000000000000000000000000002"
J_INCEPTION = "c0000000000000000000000000000501"
J_BB = "c0000000000000000000000000000600"
J_BB_S1 = "c0000000000000000000000000000601"
J_BB_E2 = "c0000000000000000000000000000602"
J_BB_E3 = "c0000000000000000000000000000603"


def iso(epoch):
    # the way node-postgres + JSON.stringify write a timestamptz
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def video_stream(height, width, bitrate):
    return {"Codec": "h264", "Type": "Video", "Height": height, "Width": width, "BitRate": bitrate,
            "IsDefault": True, "Index": 0}


AUDIO_STREAM = {"Codec": "aac", "Type": "Audio", "Channels": 6, "BitRate": 384000, "Language": "eng",
                "IsDefault": True, "Index": 1}


def activity(aid, user_id, user_name, client, device_name, device_id, item_id, item_name, episode_id, season_id,
             series_name, played, ended, play_method, ip, position_s, streams, transcoding):
    """One jf_playback_activity row with the columns of migrations 007 + 038 + 043."""
    return {
        "Id": aid, "IsPaused": False, "UserId": user_id, "UserName": user_name, "Client": client,
        "DeviceName": device_name, "DeviceId": device_id, "ApplicationVersion": "10.9.11",
        "NowPlayingItemId": item_id, "NowPlayingItemName": item_name, "SeasonId": season_id,
        "SeriesName": series_name, "EpisodeId": episode_id,
        "PlaybackDuration": None if played is None else str(played),
        "ActivityDateInserted": None if ended is None else iso(ended), "PlayMethod": play_method,
        "MediaStreams": streams, "TranscodingInfo": transcoding,
        "PlayState": {"PositionTicks": position_s * 10000000, "CanSeek": True, "IsPaused": False, "IsMuted": False,
                      "VolumeLevel": 100, "PlayMethod": play_method, "RepeatMode": "RepeatNone"},
        "OriginalContainer": "mkv", "RemoteEndPoint": ip, "ServerId": SERVER_ID, "imported": False,
    }


def jellystat_backup():
    movie_streams = [video_stream(1080, 1920, 20000000), AUDIO_STREAM]
    episode_streams_4k = [video_stream(2160, 3840, 40000000), AUDIO_STREAM]
    transcode_720 = {"AudioCodec": "aac", "VideoCodec": "h264", "Container": "ts", "IsVideoDirect": False,
                     "IsAudioDirect": True, "Bitrate": 4000000, "Width": 1280, "Height": 720,
                     "AudioChannels": 2, "HardwareAccelerationType": "none", "TranscodeReasons": ["VideoBitrateNotSupported"]}
    rows = [
        activity("act-1", J_ALICE, "alice", "Jellyfin Android TV", "SHIELD", "dev-alice-shield", J_INCEPTION,
                 "Inception", None, None, None, 3300, T0 + 9 * DAY + 3600, "DirectPlay", "198.51.100.7", 3300,
                 movie_streams, None),
        # an episode: NowPlayingItemId is the series, EpisodeId the episode (backend/models/jf_playback_activity.js)
        activity("act-2", J_BOB, "bob", "Jellyfin Web", "Firefox", "dev-bob-firefox", J_BB, "Cat's in the Bag...",
                 J_BB_E2, J_BB_S1, "Breaking Bad", 1500, T0 + 10 * DAY + 7200, "Transcode", "203.0.113.55", 1500,
                 [video_stream(1080, 1920, 12000000), AUDIO_STREAM], transcode_720),
        activity("act-3", J_BOB, "bob", "Jellyfin Web", "Firefox", "dev-bob-firefox", J_BB,
                 "...And the Bag's in the River", J_BB_E3, J_BB_S1, "Breaking Bad", 2700, T0 + 10 * DAY + 10800,
                 "DirectStream", "203.0.113.55", 2700, episode_streams_4k, None),
        # no UserName on the row: the name comes from jf_users
        activity("act-4", J_ERIN, None, "Infuse", "iPad", "dev-erin-ipad", J_INCEPTION, "Inception", None, None,
                 None, 600, T0 + 11 * DAY, "DirectPlay", "192.0.2.99", 600, movie_streams, None),
        activity("act-5", None, None, "Infuse", "iPad", "dev-ghost", J_INCEPTION, "Inception", None, None, None,
                 400, T0 + 11 * DAY + 600, "DirectPlay", "192.0.2.99", 400, movie_streams, None),
        activity("act-6", J_ALICE, "alice", "Jellyfin Android TV", "SHIELD", "dev-alice-shield", J_INCEPTION,
                 "Inception", None, None, None, -40, T0 + 12 * DAY, "DirectPlay", "198.51.100.7", 0,
                 movie_streams, None),
        activity("act-7", J_ALICE, "alice", "Jellyfin Android TV", "SHIELD", "dev-alice-shield", J_INCEPTION,
                 "Inception", None, None, None, 120, None, "DirectPlay", "198.51.100.7", 120, movie_streams, None),
    ]
    libraries = [
        {"Id": J_MOVIES, "Name": "Movies", "ServerId": SERVER_ID, "IsFolder": True, "Type": "CollectionFolder",
         "CollectionType": "movies", "ImageTagsPrimary": None, "total_play_time": "0", "item_count": "1",
         "season_count": "0", "episode_count": "0", "archived": False},
        {"Id": J_SHOWS, "Name": "Shows", "ServerId": SERVER_ID, "IsFolder": True, "Type": "CollectionFolder",
         "CollectionType": "tvshows", "ImageTagsPrimary": None, "total_play_time": "0", "item_count": "1",
         "season_count": "1", "episode_count": "2", "archived": False},
    ]
    items = [
        {"Id": J_INCEPTION, "Name": "Inception", "ServerId": SERVER_ID, "PremiereDate": "2010-07-15T00:00:00.000Z",
         "EndDate": None, "CommunityRating": 8.4, "RunTimeTicks": "88800000000", "ProductionYear": 2010,
         "IsFolder": False, "Type": "Movie", "Status": None, "ImageTagsPrimary": None, "ImageTagsBanner": None,
         "ImageTagsLogo": None, "ImageTagsThumb": None, "BackdropImageTags": None, "ParentId": J_MOVIES,
         "PrimaryImageHash": None, "archived": False, "DateCreated": iso(T0 - 365 * DAY), "Genres": ["Science Fiction"]},
        {"Id": J_BB, "Name": "Breaking Bad", "ServerId": SERVER_ID, "PremiereDate": "2008-01-20T00:00:00.000Z",
         "EndDate": "2013-09-29T00:00:00.000Z", "CommunityRating": 8.9, "RunTimeTicks": "28800000000",
         "ProductionYear": 2008, "IsFolder": True, "Type": "Series", "Status": "Ended", "ImageTagsPrimary": None,
         "ImageTagsBanner": None, "ImageTagsLogo": None, "ImageTagsThumb": None, "BackdropImageTags": None,
         "ParentId": J_SHOWS, "PrimaryImageHash": None, "archived": False, "DateCreated": iso(T0 - 365 * DAY),
         "Genres": ["Drama"]},
    ]
    seasons = [
        {"Id": J_BB_S1, "Name": "Season 1", "ServerId": SERVER_ID, "IndexNumber": 1, "Type": "Season",
         "ParentLogoItemId": None, "ParentBackdropItemId": None, "ParentBackdropImageTags": None,
         "SeriesName": "Breaking Bad", "SeriesId": J_BB, "SeriesPrimaryImageTag": None, "archived": False},
    ]

    def episode(eid, name, index):
        # Id is EpisodeId + SeasonId (backend/models/jf_library_episodes.js)
        return {"Id": eid + J_BB_S1, "EpisodeId": eid, "Name": name, "ServerId": SERVER_ID,
                "PremiereDate": "2008-01-27T00:00:00.000Z", "OfficialRating": "TV-MA", "CommunityRating": 8.6,
                "RunTimeTicks": "28800000000", "ProductionYear": 2008, "IndexNumber": index, "ParentIndexNumber": 1,
                "Type": "Episode", "ParentLogoItemId": J_BB, "ParentBackdropItemId": J_BB,
                "ParentBackdropImageTags": None, "SeriesId": J_BB, "SeasonId": J_BB_S1, "SeasonName": "Season 1",
                "SeriesName": "Breaking Bad", "archived": False, "PrimaryImageHash": None,
                "DateCreated": iso(T0 - 365 * DAY)}

    episodes = [episode(J_BB_E2, "Cat's in the Bag...", 2), episode(J_BB_E3, "...And the Bag's in the River", 3)]
    users = [
        {"Id": J_ALICE, "Name": "alice", "PrimaryImageTag": None, "LastLoginDate": iso(T0 + 12 * DAY),
         "LastActivityDate": iso(T0 + 12 * DAY), "IsAdministrator": True},
        {"Id": J_BOB, "Name": "bob", "PrimaryImageTag": None, "LastLoginDate": iso(T0 + 10 * DAY),
         "LastActivityDate": iso(T0 + 10 * DAY), "IsAdministrator": False},
        {"Id": J_ERIN, "Name": "Erin", "PrimaryImageTag": None, "LastLoginDate": iso(T0 + 11 * DAY),
         "LastActivityDate": iso(T0 + 11 * DAY), "IsAdministrator": False},
    ]
    # table order of backend/global/backup_tables.js
    return [
        {"jf_libraries": libraries},
        {"jf_library_items": items},
        {"jf_library_seasons": seasons},
        {"jf_library_episodes": episodes},
        {"jf_users": users},
        {"jf_playback_activity": rows},
        {"jf_playback_reporting_plugin_data": []},
        {"jf_item_info": []},
    ]


def write_jellystat(path):
    with open(path, "w", encoding="utf-8") as f:
        # JSON.stringify without indentation, as backup.js writes it: one line, however large
        json.dump(jellystat_backup(), f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")


# --- Jellyfin Playback Reporting ---------------------------------------------------------------

# Verbatim from Jellyfin.Plugin.PlaybackReporting/Data/ActivityRepository.cs @ 953854ab03c3c2a43cdcbf8f02855bf308810490
PLAYBACK_REPORTING_DDL = [
    "create table if not exists PlaybackActivity (" +
    "DateCreated DATETIME NOT NULL, " +
    "UserId TEXT, " +
    "ItemId TEXT, " +
    "ItemType TEXT, " +
    "ItemName TEXT, " +
    "PlaybackMethod TEXT, " +
    "ClientName TEXT, " +
    "DeviceName TEXT, " +
    "PlayDuration INT" +
    ")",
    "create table if not exists UserList (UserId TEXT)",
]

P_ALICE = "a11ce000000000000000000000000001"
P_FRANK = "f4a4c000000000000000000000000004"

PLAYBACK_REPORTING_ROWS = [
    # DateCreated (server local time; the fixture's server runs on UTC), UserId, ItemId, ItemType,
    # ItemName, PlaybackMethod, ClientName, DeviceName, PlayDuration (seconds played)
    ("2024-03-15 20:00:00.1234567", P_ALICE, J_INCEPTION, "Movie", "Inception", "DirectPlay",
     "Jellyfin Web", "Chrome", 5400),
    # FFFFFFF drops trailing zeros, so a whole second has no fraction at all
    ("2024-03-16 21:30:00", P_ALICE, J_BB_E2, "Episode", "Breaking Bad - s01e02 - Cat's in the Bag...",
     "Transcode (v:h264 a:direct)", "Jellyfin Android", "Pixel 8", 1800),
    ("2024-03-17 08:15:30.5", P_FRANK, "d0000000000000000000000000000701", "Audio",
     "Queen - Bohemian Rhapsody (A Night at the Opera)", "DirectStream", "Finamp", "iPhone", 354),
    ("2024-03-17 09:00:00", None, J_INCEPTION, "Movie", "Inception", "DirectPlay", "Jellyfin Web", "Chrome", 60),
    ("2024-03-17 10:00:00", P_FRANK, J_INCEPTION, "Movie", "Inception", "DirectPlay", "Jellyfin Web", "Chrome", -5),
]


def write_playback_reporting(path):
    db = fresh_db(path)
    for ddl in PLAYBACK_REPORTING_DDL:
        db.execute(ddl)
    db.executemany(
        "insert into PlaybackActivity (DateCreated, UserId, ItemId, ItemType, ItemName, PlaybackMethod, "
        "ClientName, DeviceName, PlayDuration) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", PLAYBACK_REPORTING_ROWS)
    db.commit()
    db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, help="write only a large Tautulli database with this many history rows")
    parser.add_argument("--out", help="where the large Tautulli database goes (with --rows)")
    parser.add_argument("--seed", type=int, default=16, help="random seed for --rows (default 16)")
    args = parser.parse_args()
    if args.rows is not None:
        if not args.out:
            parser.error("--rows needs --out")
        write_large_tautulli(args.out, args.rows, args.seed)
        print("wrote %s (%d session_history rows, %d bytes)" % (args.out, args.rows, os.path.getsize(args.out)))
        return
    os.makedirs(RESOURCES, exist_ok=True)
    write_small_tautulli(os.path.join(RESOURCES, "tautulli.db"))
    write_jellystat(os.path.join(RESOURCES, "jellystat-backup.json"))
    write_playback_reporting(os.path.join(RESOURCES, "playback_reporting.db"))
    print("wrote tautulli.db, jellystat-backup.json, playback_reporting.db in %s" % os.path.normpath(RESOURCES))


if __name__ == "__main__":
    sys.exit(main())
