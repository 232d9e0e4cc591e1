package io.tracearr.analytics.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigException;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the Hazelcast cluster manager from the project's top-level {@code cluster.xml} (read from
 * the working directory, or {@code cluster.config_path}, else the copy packaged in the jar), then
 * applies the settings operators change per deployment: cluster name, members, port.
 */
public final class ClusterSetup {

  private ClusterSetup() {}

  public static HazelcastClusterManager clusterManager(AppConfig.Cluster cfg) {
    Config hz = load(cfg);
    hz.setClusterName(cfg.name());
    hz.getNetworkConfig().setPort(cfg.port()).setPortAutoIncrement(true);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cfg.members());
    // the service's own shutdown sequence leaves the cluster after flushing, not Hazelcast's hook
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    return new HazelcastClusterManager(hz);
  }

  private static Config load(AppConfig.Cluster cfg) {
    Path file = cfg.configPath() != null ? cfg.configPath() : Path.of("cluster.xml");
    try {
      if (Files.isReadable(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          return new XmlConfigBuilder(in).build();
        }
      }
      if (cfg.configPath() != null) {
        throw new ConfigException(
            "cluster.config_path", cfg.configPath().toString(), "a readable Hazelcast XML file");
      }
      try (InputStream in =
          ClusterSetup.class.getClassLoader().getResourceAsStream("cluster.xml")) {
        if (in == null)
          throw new ConfigException("cluster.xml is neither in the working directory nor packaged");
        return new XmlConfigBuilder(in).build();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException ce) throw ce;
      throw new ConfigException("cluster.xml " + file + " cannot be read: " + e.getMessage());
    }
  }
}
