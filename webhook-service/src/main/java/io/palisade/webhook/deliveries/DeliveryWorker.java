package io.palisade.webhook.deliveries;


import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.health.BackgroundWork;
import io.palisade.common.health.Heartbeat;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.tracing.TraceContext;
import io.palisade.common.egress.CheckedUrl;
import io.palisade.common.egress.Egress;
import io.palisade.common.egress.EgressRefused;
import io.palisade.common.egress.HostNotFound;
import io.palisade.common.egress.PinnedHttpClient;
import io.palisade.webhook.WebhookSettings;
import io.palisade.webhook.endpoints.EndpointSecrets;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;

/**
 * Sends due deliveries: leases them from PostgreSQL (at most palisade.webhooks.max-in-flight at once, and
 * palisade.webhooks.max-in-flight-per-endpoint per endpoint, so a slow endpoint holds only its own slots), checks
 * the URL and a fresh lookup with the SSRF guard right before each attempt, connects to exactly the address that
 * was checked, signs with the Standard Webhooks scheme, and records the attempt and what comes next in one
 * transaction. Each send runs on its own virtual thread.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final int EXCERPT_BYTES = 1024;
    private static final int LEASE_SECONDS = 60;
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    /** How long a busy loop waits for more slots to free before claiming (gatherFreeSlots). */
    private static final Duration CLAIM_GATHER = Duration.ofMillis(10);
    /** A receiver's Retry-After is honoured up to a day. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    /** How an attempt ended and what follows: a next attempt time, or the final status. */
    record Result(String outcome, Integer statusCode, String excerpt, String error, OffsetDateTime nextAttemptAt, String finalStatus,
            AuditEvent blockedAudit) {
    }

    private final TenantTransactions tx;
    private final DeliveryRepository deliveries;
    private final EndpointSecrets secrets;
    private final Egress egress;
    private final RetrySchedule schedule;
    private final AttemptRecorder attempts;
    private final WebhookSettings settings;
    private final BackgroundWork backgroundWork;
    private final MeterRegistry registry;
    private final Tracer tracer;

    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Semaphore slots;
    private ExecutorService sending;
    private Thread loop;
    private Heartbeat heartbeat;

    DeliveryWorker(TenantTransactions tx, DeliveryRepository deliveries, EndpointSecrets secrets, Egress egress, RetrySchedule schedule,
            AttemptRecorder attempts, WebhookSettings settings, BackgroundWork backgroundWork, MeterRegistry registry, Tracer tracer) {
        this.tx = tx;
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.egress = egress;
        this.schedule = schedule;
        this.attempts = attempts;
        this.settings = settings;
        this.backgroundWork = backgroundWork;
        this.registry = registry;
        this.tracer = tracer;
    }

    void start(@Observes StartupEvent event) {
        slots = new Semaphore(settings.maxInFlight());
        sending = Executors.newVirtualThreadPerTaskExecutor();
        running = true;
        loop = Thread.ofPlatform().daemon().name("webhook-deliveries").unstarted(this::run);
        // Each turn claims at most a minute's worth of database waiting; five without one is stuck.
        heartbeat = backgroundWork.watch("webhook delivery loop", loop, Duration.ofMinutes(5));
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        heartbeat.stopped();
        wake();
        loop.join(5000);
        sending.shutdown();
        sending.awaitTermination(20, TimeUnit.SECONDS);
    }

    /** Look for due deliveries now (a fan-out made some, or a send finished and freed a slot). */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        boolean busy = false;
        while (running) {
            heartbeat.beat();
            try {
                if (busy) {
                    gatherFreeSlots();
                }
                int free = slots.availablePermits();
                List<DeliveryRepository.Claimed> claimed = free == 0 ? List.of() : claim(free);
                busy = !claimed.isEmpty() && claimed.size() == free;
                for (DeliveryRepository.Claimed delivery : claimed) {
                    slots.acquire();
                    sending.submit(() -> {
                        try {
                            deliver(delivery);
                        } finally {
                            slots.release();
                            wake();
                        }
                    });
                }
                if (busy) {
                    continue;
                }
                synchronized (signal) {
                    if (!woken && running) {
                        signal.wait(settings.pollInterval().toMillis());
                    }
                    woken = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("webhook deliveries paused, will retry: %s", e.getMessage());
                sleep();
            }
        }
    }

    /**
     * With a backlog, every finished send frees a slot and wakes the loop: claiming for each alone would cost a claim
     * transaction per delivery. Waits briefly for a quarter of the slots to be free, then claims for all of them.
     */
    private void gatherFreeSlots() throws InterruptedException {
        long deadline = System.nanoTime() + CLAIM_GATHER.toNanos();
        int batch = Math.max(1, settings.maxInFlight() / 4);
        synchronized (signal) {
            long left;
            while (running && slots.availablePermits() < batch && (left = deadline - System.nanoTime()) > 0) {
                signal.wait(Math.max(1, left / 1_000_000));
            }
            woken = false;
        }
    }

    /**
     * Leases due deliveries across tenants (the one step that sees every tenant, and learns only which and whose), then
     * reads each tenant's under that tenant's worker scope, all tenants in one transaction.
     */
    private List<DeliveryRepository.Claimed> claim(int limit) {
        List<DeliveryRepository.Lease> leases = tx.inBackground(DbScope.anonymous(),
                c -> deliveries.claimDue(c, limit, settings.maxInFlightPerEndpoint(), LEASE_SECONDS)).await().atMost(DB_TIMEOUT);
        Map<UUID, List<UUID>> byTenant = leases.stream().collect(Collectors.groupingBy(DeliveryRepository.Lease::tenantId, LinkedHashMap::new,
                Collectors.mapping(DeliveryRepository.Lease::deliveryId, Collectors.toList())));
        return tx.inBackgroundEach(List.copyOf(byTenant.entrySet()), tenant -> DbScope.worker(tenant.getKey()),
                        (c, tenant) -> deliveries.leased(c, tenant.getValue()))
                .await().atMost(DB_TIMEOUT).stream().flatMap(List::stream).toList();
    }

    /** One attempt, as a span of the trace of the event that made the message (it began with the change that caused it). */
    void deliver(DeliveryRepository.Claimed d) {
        Span span = tracer.spanBuilder("webhook delivery").setSpanKind(SpanKind.CLIENT).setParent(TraceContext.parent(d.traceparent()))
                .setAttribute("palisade.webhook.endpoint", d.endpointId().toString()).setAttribute("palisade.webhook.event_type", d.eventType())
                .setAttribute("palisade.webhook.attempt", d.attempts() + 1).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            attempt(d);
        } finally {
            span.end();
        }
    }

    private void attempt(DeliveryRepository.Claimed d) {
        // The attempt's place on the retry schedule, which a replay starts again.
        int onSchedule = d.attempts() + 1 - d.scheduleBase();
        long started = System.nanoTime();
        Result result;
        Integer latency = null;
        try {
            CheckedUrl url = egress.guard().check(d.url());
            List<InetAddress> addresses = egress.guard().resolve(url);
            long timestamp = Instant.now().getEpochSecond();
            String messageId = "msg_" + d.messageId();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", "Palisade-Webhooks/1.0");
            headers.put("webhook-id", messageId);
            headers.put("webhook-timestamp", String.valueOf(timestamp));
            headers.put("webhook-signature", StandardWebhooks.signature(keys(d), messageId, timestamp, d.body()));
            PinnedHttpClient.Answer answer = egress.http().post(url, addresses, headers, d.body().getBytes(StandardCharsets.UTF_8));
            latency = (int) answer.latency().toMillis();
            result = classify(onSchedule, answer);
        } catch (HostNotFound notFound) {
            // Perhaps a passing DNS failure: tried again on the schedule, not blocked.
            result = retryOrFail(onSchedule, null, null, notFound.getMessage(), Optional.empty());
        } catch (EgressRefused refused) {
            LOG.warnf("webhook delivery %s to endpoint %s blocked before sending: %s", d.deliveryId(), d.endpointId(), refused.getMessage());
            result = new Result("blocked", null, null, refused.getMessage(), null, "failed", blockedAudit(d, refused.getMessage()));
        } catch (IOException e) {
            latency = (int) ((System.nanoTime() - started) / 1_000_000);
            result = retryOrFail(onSchedule, null, null, e.getClass().getSimpleName() + ": " + e.getMessage(), Optional.empty());
        } catch (RuntimeException e) {
            LOG.errorf(e, "webhook delivery %s failed unexpectedly; it will be tried again", d.deliveryId());
            result = retryOrFail(onSchedule, null, null, "internal error: " + e.getClass().getSimpleName(), Optional.empty());
        }
        record(d, result, latency);
    }

    private Result classify(int onSchedule, PinnedHttpClient.Answer answer) {
        int status = answer.status();
        String excerpt = text(new String(answer.body(), 0, Math.min(answer.body().length, EXCERPT_BYTES), StandardCharsets.UTF_8));
        if (status >= 200 && status < 300) {
            return new Result("succeeded", status, excerpt, null, null, "succeeded", null);
        }
        if (status == 429 || status >= 500) {
            return retryOrFail(onSchedule, status, excerpt, "HTTP " + status, retryAfter(answer.headers().get("retry-after")));
        }
        // Other answers (3xx: redirects are never followed; 4xx) will not change by trying again.
        return new Result("failed", status, excerpt, "HTTP " + status + " is not retried", null, "failed", null);
    }

    private Result retryOrFail(int onSchedule, Integer status, String excerpt, String error, Optional<Duration> retryAfter) {
        return schedule.next(onSchedule, retryAfter.map(r -> r.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : r))
                .map(delay -> new Result("retrying", status, excerpt, error, OffsetDateTime.now(ZoneOffset.UTC).plus(delay), null, null))
                .orElseGet(() -> new Result("failed", status, excerpt, error + "; no attempts left", null, "failed", null));
    }

    private void record(DeliveryRepository.Claimed d, Result r, Integer latency) {
        OffsetDateTime disableBefore = OffsetDateTime.now(ZoneOffset.UTC).minus(settings.disableAfter());
        boolean disabled = attempts.record(d, new Result(r.outcome(), r.statusCode(), r.excerpt(), text(r.error()), r.nextAttemptAt(),
                r.finalStatus(), r.blockedAudit()), latency, disableBefore).await().atMost(DB_TIMEOUT);
        registry.counter("palisade.webhooks.deliveries", "outcome", r.outcome()).increment();
        if (latency != null) {
            Timer.builder("palisade.webhooks.delivery.latency").description("time to a receiver's answer").publishPercentileHistogram()
                    .register(registry).record(Duration.ofMillis(latency));
        }
        if (disabled) {
            registry.counter("palisade.webhooks.endpoints.disabled").increment();
            LOG.warnf("webhook endpoint %s of tenant %s disabled: failing for longer than %s", d.endpointId(), d.tenantId(), settings.disableAfter());
        }
    }

    /** Text as PostgreSQL stores it: without NUL characters, which a receiver's answer may contain. */
    private static String text(String value) {
        return value == null ? null : value.replace("\0", "");
    }

    private List<byte[]> keys(DeliveryRepository.Claimed d) {
        List<byte[]> keys = new ArrayList<>();
        keys.add(EndpointSecrets.key(secrets.open(d.endpointId(), d.secretSealed())));
        if (d.previousSecretSealed() != null) {
            keys.add(EndpointSecrets.key(secrets.open(d.endpointId(), d.previousSecretSealed())));
        }
        return keys;
    }

    private static AuditEvent blockedAudit(DeliveryRepository.Claimed d, String reason) {
        return new AuditEvent(d.tenantId(), "webhook.delivery_blocked", new AuditEvent.Actor(null, "system", null, null), "webhook_endpoint",
                d.endpointId().toString(), AuditEvent.FAILURE, null, null,
                new JsonObject().put("deliveryId", d.deliveryId().toString()).put("eventType", d.eventType()).put("reason", reason));
    }

    /** Retry-After in seconds or as an HTTP date. */
    static Optional<Duration> retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException notSeconds) {
            try {
                return Optional.of(Duration.between(Instant.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()))
                        .filter(d -> !d.isNegative());
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(settings.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
