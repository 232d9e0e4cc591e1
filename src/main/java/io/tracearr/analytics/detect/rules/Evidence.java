package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonArray;

import java.util.Collection;
import java.util.UUID;

/** Formatting shared by the rules' evidence. */
final class Evidence {

    private Evidence() {
    }

    static double round1(double value) {
        return Math.round(value * 10.0) / 10.0;
    }

    static double round3(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    /** Sorted by text so the evidence is stable whatever order the sessions arrived in. */
    static JsonArray sortedIds(Collection<UUID> ids) {
        return new JsonArray(ids.stream().map(UUID::toString).sorted().toList());
    }

    static JsonArray sortedStrings(Collection<String> values) {
        return new JsonArray(values.stream().sorted().toList());
    }
}
