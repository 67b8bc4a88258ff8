package io.palisade.audit.alerts;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which audit actions are critical ({@link AlertSettings#rules()}: {@code action} or {@code action:threshold}, where
 * the threshold is how many such entries within the interval make an alert), and the interval: at most one alert
 * per tenant and kind per interval.
 */
@ApplicationScoped
public class AlertRules {

    public record Rule(String action, int threshold) {
    }

    private final Map<String, Rule> byAction = new HashMap<>();
    private final Duration interval;

    AlertRules(AlertSettings settings) {
        List<String> rules = settings.rules();
        Duration interval = settings.interval();
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalStateException("palisade.audit.alerts.interval must be positive");
        }
        this.interval = interval;
        for (String text : rules) {
            String[] parts = text.trim().split(":", -1);
            int threshold;
            try {
                threshold = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : 1;
            } catch (NumberFormatException e) {
                threshold = 0;
            }
            if (parts.length > 2 || parts[0].isBlank() || threshold < 1) {
                throw new IllegalStateException("palisade.audit.alerts.rules: '" + text + "' is not action or action:threshold");
            }
            byAction.put(parts[0].trim(), new Rule(parts[0].trim(), threshold));
        }
    }

    public Optional<Rule> forAction(String action) {
        return Optional.ofNullable(byAction.get(action));
    }

    public Duration interval() {
        return interval;
    }

    long intervalMillis() {
        return interval.toMillis();
    }
}
