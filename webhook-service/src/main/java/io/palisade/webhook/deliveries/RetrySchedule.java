package io.palisade.webhook.deliveries;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.webhook.WebhookSettings;

/**
 * When to try again (WebhookSettings.retrySchedule, published in docs/webhooks.md): the n-th entry is the
 * delay before attempt n+1, with ±its jitter so that many endpoints failing together do not
 * retry together; a Retry-After longer than the schedule's delay is honoured. After the last entry, no more.
 */
@ApplicationScoped
public class RetrySchedule {

    private final List<Duration> delays;
    private final double jitter;

    RetrySchedule(WebhookSettings settings) {
        this.delays = List.copyOf(settings.retrySchedule());
        this.jitter = settings.retryJitter();
    }

    /** The delay before the next attempt after {@code attemptsMade} attempts, or empty when there is none. */
    public Optional<Duration> next(int attemptsMade, Optional<Duration> retryAfter) {
        if (attemptsMade >= delays.size()) {
            return Optional.empty();
        }
        Duration delay = delays.get(attemptsMade);
        long millis = delay.toMillis();
        if (millis > 0 && jitter > 0) {
            millis = Math.round(millis * (1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter)));
        }
        Duration jittered = Duration.ofMillis(millis);
        return Optional.of(retryAfter.filter(r -> r.compareTo(jittered) > 0).orElse(jittered));
    }

    public int attempts() {
        return delays.size();
    }
}
