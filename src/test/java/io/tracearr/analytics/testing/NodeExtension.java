package io.tracearr.analytics.testing;

import io.tracearr.analytics.config.DatabaseUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one owner of a test class's database and nodes. Register it on a static field; it makes a
 * fresh database for the class (from the migrated template of the JVM's one embedded PostgreSQL,
 * see {@link TestDatabase}), boots the nodes before the class's own {@code @BeforeAll} and stops
 * them after its {@code @AfterAll}:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NodeExtension nodes = NodeExtension.single(new JsonObject().put("sessions", ...));
 * static final TestNode node = nodes.node();
 * }</pre>
 *
 * The {@link TestNode} handles exist from class initialisation and serve requests once the
 * extension has booted them. HTTP (and metrics) listen on port 0; the node reports the port it got.
 */
public final class NodeExtension implements BeforeAllCallback, AfterAllCallback {

  /**
   * The first Hazelcast port tried by clustered test nodes. Hazelcast's cluster port cannot be 0
   * (members find each other by address), so each node binds the first free port from here on
   * (Hazelcast's own port auto-increment, up to 100 ports), and every later node of the cluster is
   * given the first node's actual address to join. A port taken meanwhile by anything else is
   * skipped, not fought over, and the unique cluster name keeps test clusters of concurrent runs on
   * this machine from merging when they probe each other. Below the Linux ephemeral range (32768+),
   * so client sockets never sit on it.
   */
  public static final int HAZELCAST_BASE_PORT = 15701;

  private enum Shape {
    DATABASE_ONLY,
    STANDALONE,
    CLUSTER
  }

  private final Shape shape;
  private final JsonObject overrides;
  private final List<TestNode> nodes = new ArrayList<>();
  private Consumer<DatabaseUrl> seed = db -> {};
  private Clock clock = Clock.systemUTC();
  private DatabaseUrl database;
  private String bootedBy;

  private NodeExtension(Shape shape, int size, JsonObject overrides) {
    this.shape = shape;
    this.overrides = overrides;
    for (int i = 0; i < size; i++) nodes.add(new TestNode());
  }

  /** One standalone node with the test defaults. */
  public static NodeExtension single() {
    return single(new JsonObject());
  }

  /**
   * One standalone node; {@code overrides} is merged into the defaults (same shape as the yaml).
   */
  public static NodeExtension single(JsonObject overrides) {
    return new NodeExtension(Shape.STANDALONE, 1, overrides);
  }

  /**
   * One standalone node whose own jobs leave rows a test seeds alone: the periodic roll-up runs
   * once a day (a test rolls up when it wants, through {@code stats.rollup}) and open sessions time
   * out after a day.
   */
  public static NodeExtension seededHistory() {
    return single(
        new JsonObject()
            .put("analytics", new JsonObject().put("rollup_interval_seconds", 86_400))
            .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));
  }

  /**
   * {@code size} standalone (not clustered) nodes on one database: races between nodes through
   * PostgreSQL alone.
   */
  public static NodeExtension standaloneOnOneDatabase(int size, JsonObject overrides) {
    return new NodeExtension(Shape.STANDALONE, size, overrides);
  }

  /**
   * {@code size} nodes of one Hazelcast cluster on one database; tests start once every node sees
   * all members.
   */
  public static NodeExtension cluster(int size, JsonObject overrides) {
    return new NodeExtension(Shape.CLUSTER, size, overrides);
  }

  /** Only the fresh database (for nodes the test runs as processes of their own). */
  public static NodeExtension databaseOnly() {
    return new NodeExtension(Shape.DATABASE_ONLY, 0, new JsonObject());
  }

  /** Rows written into the fresh database before any node boots (what a node finds at startup). */
  public NodeExtension seededBeforeBoot(Consumer<DatabaseUrl> seed) {
    this.seed = seed;
    return this;
  }

  /**
   * The clock the nodes' session registries stamp heartbeats with (a {@link TestClock} moves time
   * on demand).
   */
  public NodeExtension withSessionClock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** The node of a single-node extension. */
  public TestNode node() {
    if (nodes.size() != 1)
      throw new IllegalStateException("this extension has " + nodes.size() + " nodes: use node(i)");
    return nodes.get(0);
  }

  public TestNode node(int index) {
    return nodes.get(index);
  }

  public DatabaseUrl database() {
    if (database == null)
      throw new IllegalStateException("the database is made before the class's @BeforeAll");
    return database;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // a @Nested class inherits the field: the nodes of the outer class serve it too
    if (bootedBy != null) return;
    bootedBy = context.getUniqueId();
    database = TestDatabase.fresh();
    seed.accept(database);
    String clusterName = context.getRequiredTestClass().getSimpleName() + "-" + UUID.randomUUID();
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject cfg = overrides.copy();
      if (shape == Shape.CLUSTER) cfg.put("cluster", clusterSettings(clusterName, i));
      nodes.get(i).boot(database, cfg, clock);
    }
    if (shape == Shape.CLUSTER) {
      Await.until(
          Duration.ofSeconds(60),
          nodes.size() + " nodes in one cluster",
          () -> nodes.stream().allMatch(n -> n.app().node().clusterMembers() == nodes.size()));
    }
  }

  private JsonObject clusterSettings(String name, int index) {
    JsonObject cluster = overrides.getJsonObject("cluster", new JsonObject()).copy();
    String first = index == 0 ? "127.0.0.1" : "127.0.0.1:" + nodes.get(0).clusterPort();
    return cluster
        .put("enabled", true)
        .put("name", name)
        .put("port", HAZELCAST_BASE_PORT)
        .put("members", new JsonArray().add(first));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!context.getUniqueId().equals(bootedBy)) return;
    bootedBy = null;
    RuntimeException failure = null;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        nodes.get(i).close();
      } catch (RuntimeException e) {
        if (failure == null) failure = e;
        else failure.addSuppressed(e);
      }
    }
    if (failure != null) throw failure;
  }
}
