package io.tracearr.analytics.session;

/** How sessions are attributed to a device. */
public final class DeviceKeys {

  private static final String UNKNOWN = "unknown";

  private DeviceKeys() {}

  /**
   * The media server's device id when it sent one; otherwise "device name / client name", which is
   * the best stable identity left (e.g. "Living Room TV / Plex for Android").
   */
  public static String of(String deviceId, String deviceName, String clientName) {
    if (!isBlank(deviceId)) {
      return deviceId.strip();
    }
    return orUnknown(deviceName) + " / " + orUnknown(clientName);
  }

  private static String orUnknown(String value) {
    return isBlank(value) ? UNKNOWN : value.strip();
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
