package io.tracearr.analytics.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path answers and refuses exactly as {@link LocalDate#parse} does. */
class IsoDateTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-30",
        "2024-02-29",
        "2023-02-29",
        "2026-04-31",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "0000-01-01",
        "9999-12-31",
        "2026-1-300",
        "2026/11/30",
        "20261130xx",
        "2026-11-3x",
        "+12026-11-30",
        "2026-11-30T00:00",
        "2026-11-3",
        "",
        "２０２６-11-30",
        "-2026-11-30"
      })
  void answersAsLocalDateParse(String text) {
    assertEquals(outcome(() -> LocalDate.parse(text)), outcome(() -> RequestParams.isoDate(text)));
  }

  private static String outcome(java.util.function.Supplier<LocalDate> parse) {
    try {
      return parse.get().toString();
    } catch (DateTimeParseException e) {
      return "refused";
    }
  }
}
