package io.tracearr.analytics.notify;

/**
 * What one delivery attempt came back with: an HTTP status (with its Retry-After header, if any) or
 * a transport failure (timeout, connection reset or refused, a response that is not HTTP).
 */
public record AttemptResult(Integer status, String retryAfter, String failure) {

  public static AttemptResult response(int status, String retryAfterHeader) {
    return new AttemptResult(status, retryAfterHeader, null);
  }

  public static AttemptResult response(int status) {
    return response(status, null);
  }

  public static AttemptResult transportFailure(String what) {
    return new AttemptResult(null, null, what == null ? "transport failure" : what);
  }

  /** How a mail send ended: SMTP has no status here, only success or an exception. */
  public static AttemptResult mailSent() {
    return response(200);
  }

  public String describe() {
    return status != null ? "HTTP " + status : failure;
  }
}
