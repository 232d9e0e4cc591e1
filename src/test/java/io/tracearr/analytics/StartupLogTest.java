package io.tracearr.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * What a node says while it starts (issue 19): it ends with the one Dashboard line, and Micrometer
 * has nothing to complain about (no "Gauge ... already registered").
 */
class StartupLogTest {

  /** Attached before the extension boots the node (static fields initialise in order). */
  static final ListAppender<ILoggingEvent> startup = attach();

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  private static ListAppender<ILoggingEvent> attach() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root().addAppender(appender);
    // Micrometer warns about the first re-registered gauge of the JVM only, later ones at debug:
    // see them all
    context()
        .getLogger("io.micrometer.core.instrument.MeterRegistry")
        .setLevel(ch.qos.logback.classic.Level.DEBUG);
    return appender;
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  private static Logger root() {
    return context().getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @AfterAll
  static void detach() {
    root().detachAppender(startup);
    context().getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(null);
  }

  private static List<ILoggingEvent> events() {
    synchronized (startup.list) {
      return List.copyOf(startup.list);
    }
  }

  @Test
  void startupEndsWithTheDashboardLineAfterServingOn() {
    List<String> application =
        events().stream()
            .filter(e -> e.getLoggerName().equals(Application.class.getName()))
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    int serving = -1;
    for (int i = 0; i < application.size(); i++)
      if (application.get(i).contains(" serving on http://")) serving = i;
    assertTrue(serving >= 0, "no 'serving on' line in " + application);
    // the test node's admin key is configured, not generated
    assertEquals(
        "Dashboard: http://127.0.0.1:"
            + node.port()
            + "/ \u2014 sign in with the configured admin key",
        application.get(serving + 1));
    assertEquals(
        1,
        application.stream().filter(m -> m.startsWith("Dashboard: ")).count(),
        application.toString());
  }

  @Test
  void noMeterIsRegisteredTwice() {
    List<String> complaints =
        events().stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.contains("already registered"))
            .toList();
    assertEquals(List.of(), complaints);
  }

  @Test
  void onlyVertxOwnGaugeReRegistrationsAreFiltered() {
    var filter = new io.tracearr.analytics.metrics.VertxGaugeReRegistrationFilter();
    Logger registry = context().getLogger("io.micrometer.core.instrument.MeterRegistry");
    String vertx =
        "This Gauge has been already registered (MeterId{name='vertx.sql.processing.pending', tags=[]}), "
            + "the registration will be ignored.";
    String ours =
        "This Gauge has been already registered (MeterId{name='analytics_sessions_active', tags=[]}), "
            + "the registration will be ignored.";
    assertEquals(
        ch.qos.logback.core.spi.FilterReply.DENY,
        filter.decide(null, registry, ch.qos.logback.classic.Level.WARN, vertx, null, null));
    assertEquals(
        ch.qos.logback.core.spi.FilterReply.NEUTRAL,
        filter.decide(null, registry, ch.qos.logback.classic.Level.WARN, ours, null, null));
    assertEquals(
        ch.qos.logback.core.spi.FilterReply.NEUTRAL,
        filter.decide(
            null,
            context().getLogger("other"),
            ch.qos.logback.classic.Level.WARN,
            vertx,
            null,
            null));
  }

  @Test
  void dashboardLineNamesTheKeyFileAndAReachableHost() {
    Path key = Path.of("data", "admin-api-key");
    assertEquals(
        "Dashboard: http://localhost:8080/ \u2014 sign in with the admin key in "
            + key.toAbsolutePath(),
        Application.dashboardLine("0.0.0.0", 8080, key));
    assertEquals(
        "Dashboard: http://10.0.0.5:9000/ \u2014 sign in with the configured admin key",
        Application.dashboardLine("10.0.0.5", 9000, null));
    assertEquals(
        "Dashboard: http://localhost:9000/ \u2014 sign in with the configured admin key",
        Application.dashboardLine("::", 9000, null));
  }
}
