package io.palisade.devstack.stripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Stripe's request encoding: {@code application/x-www-form-urlencoded} with bracketed keys ({@code metadata[booking]=...}). */
record FormParams(Map<String, String> values) {

    static FormParams parse(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded != null && !encoded.isEmpty()) {
            for (String pair : encoded.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.put(key, value);
            }
        }
        return new FormParams(values);
    }

    String get(String key) {
        return values.get(key);
    }

    Long getLong(String key) {
        String value = values.get(key);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw StripeError.invalid("Invalid integer: " + value, key);
        }
    }

    /** The entries of one bracketed map, e.g. {@code metadata}. */
    Map<String, String> map(String name) {
        Map<String, String> map = new TreeMap<>();
        String prefix = name + "[";
        values.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.endsWith("]")) {
                map.put(key.substring(prefix.length(), key.length() - 1), value);
            }
        });
        return map;
    }

    /** A canonical form: the same parameters in any order give the same fingerprint. */
    String fingerprint() {
        return new TreeMap<>(values).toString();
    }
}
