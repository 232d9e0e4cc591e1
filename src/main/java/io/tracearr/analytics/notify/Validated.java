package io.tracearr.analytics.notify;

import io.tracearr.analytics.api.Problem;
import java.util.List;
import java.util.Objects;

/**
 * Either a valid value or the 400 problem that names every bad field. A result rather than an
 * exception so that a caller validating many channels (config at boot) can report them all.
 */
public record Validated<T>(T value, Problem problem) {

  public Validated {
    if ((value == null) == (problem == null)) {
      throw new IllegalArgumentException("exactly one of value and problem");
    }
  }

  public static <T> Validated<T> valid(T value) {
    return new Validated<>(Objects.requireNonNull(value), null);
  }

  public static <T> Validated<T> invalid(List<Problem.FieldError> errors) {
    return new Validated<>(null, Problem.validation(errors));
  }

  public boolean isValid() {
    return value != null;
  }

  /** The value, or the problem thrown (the gateway renders a thrown Problem as its 400). */
  public T orThrow() {
    if (problem != null) throw problem;
    return value;
  }
}
