package io.tracearr.analytics.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Scenario 11 (issue 16): a Tautulli database of {@code rows} history rows (generated from
 * Tautulli's own schema by {@code scripts/make-import-fixtures.py}) imported through the API, from
 * the first byte of the upload to {@code completed} (staging, move-in and the roll-up of every day
 * it touched). The limit is PostgreSQL's {@code COPY} of the same number of session rows into a
 * copy of playback_sessions with the same indexes, in the same run. RSS of the service is sampled
 * throughout. Also reported: the import's two halves (the rows in and committed, then the roll-up),
 * and COPY into playback_sessions itself (the words; its monthly partitions' indexes are
 * smaller than the copy's, so it runs faster), rolled back.
 */
final class ImportScenario {

  private final Bench b;
  private final HttpClient control =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ImportScenario(Bench b) {
    this.b = b;
  }

  ScenarioResult tautulli() throws Exception {
    int rows = b.sizes.quick() ? 20_000 : 1_000_000;
    ScenarioResult r =
        new ScenarioResult(
            "11",
            "import of a Tautulli database of " + rows + " rows, upload to completed",
            "≥ 0.5 × COPY of the same session rows; service RSS < 512 MB throughout");
    if (!b.routeExists("/api/v1/analytics/imports", b.adminKey))
      return r.skipped("imports (/api/v1/analytics/imports) not in this build");

    Path db = b.out.resolve("tautulli-" + rows + ".db").toAbsolutePath();
    Files.deleteIfExists(db);
    long g0 = System.nanoTime();
    b.tools
        .run(
            "s11-generate",
            List.of(
                "python3",
                "scripts/make-import-fixtures.py",
                "--rows",
                String.valueOf(rows),
                "--out",
                db.toString()),
            java.util.Map.of(),
            Duration.ofMinutes(10),
            null)
        .requireSuccess("generating the Tautulli database");
    r.figure("generate_seconds", (System.nanoTime() - g0) / 1e9)
        .figure("file_mb", Files.size(db) / 1e6);

    double[] rss0 = b.rssMb();
    String boundary = "bench-" + Ids.random();
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.concat(
            HttpRequest.BodyPublishers.ofString(
                "--"
                    + boundary
                    + "\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\ntautulli\r\n--"
                    + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tautulli.db\""
                    + "\r\nContent-Type: application/octet-stream\r\n\r\n"),
            HttpRequest.BodyPublishers.ofFile(db),
            HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"));
    long t0 = System.nanoTime();
    HttpResponse<String> accepted =
        control.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + b.host + ":" + b.port + "/api/v1/analytics/imports"))
                .timeout(Duration.ofMinutes(10))
                .header("Authorization", "Bearer " + b.adminKey)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (accepted.statusCode() != 202)
      return r.error("the upload answered " + accepted.statusCode() + ": " + accepted.body());
    double uploadSeconds = (System.nanoTime() - t0) / 1e9;
    String id = new JsonObject(accepted.body()).getString("id");
    double rssPeak = rss0[0];
    JsonObject job;
    // when the rows were in (the phase turned rolling_up), to 200 ms: the import's two halves
    double rowsEndSeconds = -1;
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (true) {
      rssPeak = Math.max(rssPeak, b.rssMb()[0]);
      job = new JsonObject(b.get("/api/v1/analytics/imports/" + id, b.adminKey).body());
      String status = job.getString("status");
      if (rowsEndSeconds < 0 && "rolling_up".equals(job.getString("phase")))
        rowsEndSeconds = (System.nanoTime() - t0) / 1e9;
      if (List.of("completed", "failed", "cancelled").contains(status)) break;
      if (System.nanoTime() > deadline) return r.error("the import did not end in 30 min");
      Thread.sleep(200);
    }
    double importSeconds = (System.nanoTime() - t0) / 1e9;
    if (!"completed".equals(job.getString("status")))
      return r.error("the import ended " + job.getString("status") + ": " + job.getString("error"));
    long imported = job.getLong("rows_imported");

    // the limit: COPY of the same session rows (exported from the import's own result) into a copy
    // of playback_sessions with every index, server-side from a file, timed by psql
    Path csv = b.out.resolve("s11-sessions.csv").toAbsolutePath();
    Files.deleteIfExists(csv);
    b.psql(
        "s11-export",
        "COPY (SELECT * FROM playback_sessions WHERE ended_reason = 'imported') TO '"
            + csv
            + "' WITH (FORMAT csv);",
        Duration.ofMinutes(30));
    b.psql(
        "s11-copy-table",
        "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE playback_sessions INCLUDING ALL);",
        Duration.ofMinutes(5));
    double copyMs =
        b.psqlTimed(
            "s11-copy",
            "COPY bench_copy FROM '" + csv + "' WITH (FORMAT csv);",
            Duration.ofMinutes(30));
    long copied =
        Long.parseLong(
            b.psql("s11-copied", "SELECT count(*) FROM bench_copy;", Duration.ofMinutes(5)));
    b.psql("s11-drop", "DROP TABLE bench_copy;", Duration.ofMinutes(5));
    Files.deleteIfExists(csv);
    // the limit in its own words: COPY into playback_sessions itself (its monthly
    // partitions, whose indexes are smaller than bench_copy's), the same rows under fresh ids, in a
    // transaction that psql's exit rolls back, so nothing stays
    String columns =
        "user_id, content_type, content_id, content_title, client_name, device_name, device_id,"
            + " device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred,"
            + " status, started_at, ended_at, last_heartbeat_at, duration_seconds,"
            + " position_seconds, ended_reason, server_id";
    b.psql(
        "s11-export-fresh-ids",
        "COPY (SELECT gen_random_uuid(), "
            + columns
            + " FROM playback_sessions WHERE ended_reason = 'imported') TO '"
            + csv
            + "' WITH (FORMAT csv);",
        Duration.ofMinutes(30));
    double copyIntoMs =
        b.psqlTimed(
            "s11-copy-into-sessions",
            "BEGIN;\nCOPY playback_sessions (id, "
                + columns
                + ") FROM '"
                + csv
                + "' WITH (FORMAT csv);",
            Duration.ofMinutes(30));
    Files.deleteIfExists(csv);
    Files.deleteIfExists(db);

    double importRate = imported / importSeconds;
    double copyRate = copied / (copyMs / 1000);
    double ratio = importRate / copyRate;
    double copyIntoRate = copied / (copyIntoMs / 1000);
    r.figure("rows_read", job.getLong("rows_read"))
        .figure("rows_imported", imported)
        .figure("rows_skipped", job.getLong("rows_skipped"))
        .figure("upload_seconds", uploadSeconds)
        .figure("rows_seconds", rowsEndSeconds < 0 ? -1 : rowsEndSeconds - uploadSeconds)
        .figure("rollup_seconds", rowsEndSeconds < 0 ? -1 : importSeconds - rowsEndSeconds)
        .figure("import_seconds", importSeconds)
        .figure("import_rows_per_s", importRate)
        .figure("copy_rows", copied)
        .figure("copy_seconds", copyMs / 1000)
        .figure("copy_rows_per_s", copyRate)
        .figure("copy_into_playback_sessions_seconds", copyIntoMs / 1000)
        .figure("copy_into_playback_sessions_rows_per_s", copyIntoRate)
        .figure("ratio_to_copy_into_playback_sessions", importRate / copyIntoRate)
        .figure("rss_before_mb", rss0[0])
        .figure("rss_peak_mb", rssPeak)
        .limit("COPY of the same rows into playback_sessions' shape", copyRate, "rows/s")
        .ratio(ratio)
        .check("≥ 0.5 × COPY", ratio, ratio >= 0.5)
        .check("RSS < 512 MB throughout", rssPeak, rssPeak < 512);
    return r;
  }
}
