package io.tracearr.analytics.gateway.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * First run with no admin key configured: generate one into the data directory (mode 600) so the
 * embedded default is usable but never open. Later runs read the same file.
 */
public final class AdminKeyFile {

  public static final String FILE_NAME = "admin-api-key";

  private AdminKeyFile() {}

  public record Result(String key, Path file, boolean generated) {}

  public static Result loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      String key = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (key.length() >= 16) return new Result(key, file, false);
    }
    Files.createDirectories(dataDir);
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String key = "tra_" + HexFormat.of().formatHex(bytes);
    Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Result(key, file, true);
  }
}
