package io.palisade.common.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** One watched loop thread (see {@link BackgroundWork}): it beats as it makes progress and says when it stopped on purpose. */
public final class Heartbeat {

    private final String name;
    private final Thread thread;
    private final Duration maxSilence;
    private final Clock clock;
    private volatile Instant last;
    private volatile boolean stopped;

    Heartbeat(String name, Thread thread, Duration maxSilence, Clock clock) {
        this.name = name;
        this.thread = thread;
        this.maxSilence = maxSilence;
        this.clock = clock;
        this.last = clock.instant();
    }

    public void beat() {
        last = clock.instant();
    }

    /** The loop ended because the service is shutting down: not a failure. */
    public void stopped() {
        stopped = true;
    }

    Optional<String> problem(Instant now) {
        if (stopped) {
            return Optional.empty();
        }
        if (!thread.isAlive()) {
            return Optional.of(name + " has died");
        }
        Duration silent = Duration.between(last, now);
        return silent.compareTo(maxSilence) > 0 ? Optional.of(name + " made no progress for " + silent.toSeconds() + " s") : Optional.empty();
    }
}
