package io.palisade.common.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.quarkus.scheduler.FailedExecution;
import io.quarkus.scheduler.SkippedExecution;
import io.quarkus.scheduler.SuccessfulExecution;

/**
 * Liveness of the service's background work (docs/operations.md): DOWN when a loop thread (a Kafka consumer, the
 * webhook delivery loop) died or made no progress within its allowed silence, or when a scheduled job has been
 * running so long that its next runs were skipped for longer than {@code palisade.health.job-stall}. Only a restart
 * helps then; readiness, which decides traffic, looks at the database pool alone.
 */
@ApplicationScoped
public class BackgroundWork {

    @ConfigProperty(name = "palisade.health.job-stall", defaultValue = "PT5M")
    Duration jobStall;

    private final Clock clock = Clock.systemUTC();
    private final List<Heartbeat> loops = new CopyOnWriteArrayList<>();
    private final Map<String, Instant> lastFinished = new ConcurrentHashMap<>();
    /** Per job: since when its runs have been skipped because one is still running (absent: none skipped since it last ended). */
    private final Map<String, Instant> skippedSince = new ConcurrentHashMap<>();

    /** Watches a loop thread that calls {@link Heartbeat#beat()} at least once per {@code maxSilence} while it works. */
    public Heartbeat watch(String name, Thread thread, Duration maxSilence) {
        Heartbeat heartbeat = new Heartbeat(name, thread, maxSilence, clock);
        loops.add(heartbeat);
        return heartbeat;
    }

    void finished(@Observes SuccessfulExecution execution) {
        ended(execution.getExecution().getTrigger().getId());
    }

    void failed(@Observes FailedExecution execution) {
        ended(execution.getExecution().getTrigger().getId());
    }

    void skipped(@Observes SkippedExecution execution) {
        skippedSince.putIfAbsent(execution.triggerId, clock.instant());
    }

    private void ended(String job) {
        lastFinished.put(job, clock.instant());
        skippedSince.remove(job);
    }

    /** The liveness answer (see {@link BackgroundWorkLiveness}). */
    HealthCheckResponse check() {
        List<String> problems = new ArrayList<>();
        Instant now = clock.instant();
        for (Heartbeat loop : loops) {
            loop.problem(now).ifPresent(problems::add);
        }
        skippedSince.forEach((job, since) -> {
            Duration stalled = Duration.between(since, now);
            if (stalled.compareTo(jobStall) > 0) {
                problems.add("scheduled job " + job + " has been running past its next runs for " + stalled.toSeconds() + " s");
            }
        });
        HealthCheckResponseBuilder response = HealthCheckResponse.named("background work").status(problems.isEmpty())
                .withData("loops", loops.size());
        for (int i = 0; i < problems.size(); i++) {
            response.withData("problem." + (i + 1), problems.get(i));
        }
        return response.build();
    }
}
