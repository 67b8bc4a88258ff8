package io.palisade.common.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.palisade.common.db.RowLimit;
import io.palisade.common.events.KafkaClients;
import io.palisade.common.metrics.Gauges;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Publishes the outbox to Kafka as CloudEvents 1.0 in the Kafka binding's structured mode, keyed by tenant id, at least once and in commit
 * order: domain events to the service's topic, audit events to the audit topic. One instance relays at a time (advisory lock); a batch is marked published only after the broker
 * acknowledged all of it, so while the broker is down events wait, and none is lost.
 */
// Made at start, so its metrics are there from the first scrape.
@Startup
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 500;
    private static final String AUDIT_STREAM = "audit";
    private static final String PLATFORM_KEY = "platform";
    private static final String CONTENT_TYPE_HEADER = "content-type";
    private static final byte[] STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8);

    private final Pool pool;
    private final TenantTransactions tx;
    private final String schema;
    private final String source;
    private final String topic;
    private final String auditTopic;
    private final KafkaClients kafka;

    private KafkaProducer<String, String> producer;

    /** What waits, as of the end of the last run: the figures operators alert on (docs/operations.md). */
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService relayThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("outbox-relay").daemon().factory());
    private volatile OffsetDateTime oldestPending;

    OutboxRelay(Pool pool, TenantTransactions tx, @ConfigProperty(name = "palisade.db.schema") String schema,
            @ConfigProperty(name = "quarkus.application.name") String source, @ConfigProperty(name = "palisade.outbox.topic") String topic,
            @ConfigProperty(name = "palisade.audit.topic") String auditTopic, KafkaClients kafka) {
        this.pool = pool;
        this.tx = tx;
        this.schema = schema;
        this.source = source;
        this.topic = topic;
        this.auditTopic = auditTopic;
        this.kafka = kafka;
    }

    @Inject
    void registerMetrics(MeterRegistry registry) {
        Gauges.register(registry, "palisade.outbox.pending", Tags.empty(), Gauge.builder("palisade.outbox.pending", pending, AtomicLong::get)
                .description("events in the outbox not yet on Kafka"));
        Gauges.register(registry, "palisade.outbox.oldest.age", Tags.empty(), Gauge.builder("palisade.outbox.oldest.age", this,
                        relay -> relay.oldestPending == null ? 0 : Math.max(0, Duration.between(relay.oldestPending, OffsetDateTime.now()).toMillis() / 1000.0))
                .description("age of the oldest event not yet on Kafka").baseUnit("seconds"));
    }

    /**
     * The poll: the backlog's figures, and a run in case a wake was missed (an event written by another replica, or a
     * transaction this one did not see commit).
     */
    @Scheduled(every = "${palisade.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        // Before relaying: with the broker away a run takes its timeouts, and the figure must not wait for them.
        measureBacklog();
        wake();
    }

    /**
     * Relays now, on the relay's own thread (sending blocks while the broker is away, and the caller may be an event
     * loop): called after each commit of a transaction that wrote to the outbox (TenantTransactions.afterCommit), so
     * an event reaches Kafka within milliseconds, not at the next poll. A wake during a run makes it run once more.
     */
    public void wake() {
        requested.set(true);
        if (running.compareAndSet(false, true)) {
            try {
                relayThread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // Shutting down: what is left waits in the outbox for the next start.
                running.set(false);
            }
        }
    }

    private void drain() {
        do {
            while (requested.getAndSet(false)) {
                relayAll();
            }
            running.set(false);
            // A wake between the last check and the release found the relay running and left the work to it.
        } while (requested.get() && running.compareAndSet(false, true));
    }

    private void relayAll() {
        try {
            while (relayBatch() == BATCH) {
                // a full batch: there may be more right away
            }
        } catch (RuntimeException e) {
            LOG.warnf("outbox relay paused, will retry: %s", e.getMessage());
        }
    }

    private void measureBacklog() {
        try {
            Row backlog = tx.inScope(DbScope.upkeep(), c -> c.query("select count(*) as pending, min(occurred_at) as oldest from " + schema
                    + ".outbox where published_at is null").execute()).await().atMost(Duration.ofSeconds(10)).iterator().next();
            pending.set(backlog.getLong("pending"));
            oldestPending = backlog.getOffsetDateTime("oldest");
        } catch (RuntimeException e) {
            LOG.debugf("outbox backlog not measured: %s", e.getMessage());
        }
    }

    /**
     * One batch in one transaction. Every step awaits on this scheduler thread, never inside a database
     * callback: sending to a broker that is down blocks, and must not block an event loop.
     */
    private int relayBatch() {
        Duration timeout = Duration.ofSeconds(60);
        SqlConnection connection = pool.getConnection().await().atMost(timeout);
        try {
            Transaction transaction = connection.begin().await().atMost(timeout);
            try {
                // Every tenant's unpublished events, under the policies that admit the upkeep scope (db/outbox-relay).
                tx.rescope(connection, DbScope.upkeep()).await().atMost(timeout);
                boolean locked = connection.preparedQuery("select pg_try_advisory_xact_lock(hashtext($1)) as locked")
                        .execute(Tuple.of(schema + ".outbox")).await().atMost(timeout).iterator().next().getBoolean("locked");
                RowSet<Row> rows = locked
                        ? connection.preparedQuery("select seq, id, tenant_id, stream, type, subject, data, occurred_at, traceparent from " + schema
                                + ".outbox where published_at is null order by seq" + RowLimit.of(BATCH)).execute().await().atMost(timeout)
                        : null;
                if (rows == null || rows.size() == 0) {
                    transaction.rollback().await().atMost(timeout);
                    return 0;
                }
                Long[] sent = publish(rows);
                connection.preparedQuery("update " + schema + ".outbox set published_at = now() where seq = any($1) and published_at is null")
                        .execute(Tuple.of((Object) sent))
                        .await().atMost(timeout);
                transaction.commit().await().atMost(timeout);
                return rows.size();
            } catch (RuntimeException e) {
                transaction.rollback().await().atMost(timeout);
                throw e;
            }
        } finally {
            connection.close().await().atMost(timeout);
        }
    }

    /** Sends the rows in order and waits for every acknowledgement; returns the sequence numbers sent. */
    private Long[] publish(Iterable<Row> rows) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        List<Long> sent = new ArrayList<>();
        for (Row row : rows) {
            // Platform-level audit events have no tenant; they share one key, so they too stay in order.
            String tenant = row.getUUID("tenant_id") == null ? null : row.getUUID("tenant_id").toString();
            JsonObject event = new JsonObject()
                    .put("specversion", "1.0")
                    .put("id", row.getUUID("id").toString())
                    .put("source", "/" + source)
                    .put("type", row.getString("type"))
                    // RFC 3339 with seconds always present (OffsetDateTime.toString() drops ":00").
                    .put("time", DateTimeFormatter.ISO_INSTANT.format(row.getOffsetDateTime("occurred_at").toInstant()))
                    .put("datacontenttype", "application/json")
                    .put("sequence", String.valueOf(row.getLong("seq")))
                    .put("data", row.getJsonObject("data"));
            // An attribute without a value is left out, never sent as null (the CloudEvents JSON format).
            if (row.getString("subject") != null) {
                event.put("subject", row.getString("subject"));
            }
            if (tenant != null) {
                event.put("tenantid", tenant);
            }
            // The CloudEvents distributed-tracing extension: consumers continue the trace of the change.
            if (row.getString("traceparent") != null) {
                event.put("traceparent", row.getString("traceparent"));
            }
            String destination = AUDIT_STREAM.equals(row.getString("stream")) ? auditTopic : topic;
            ProducerRecord<String, String> record = new ProducerRecord<>(destination, tenant == null ? PLATFORM_KEY : tenant, event.encode());
            // Structured mode of the CloudEvents Kafka binding: the header tells any CloudEvents SDK how to read the value.
            record.headers().add(CONTENT_TYPE_HEADER, STRUCTURED_CONTENT_TYPE);
            acks.add(producer().send(record));
            sent.add(row.getLong("seq"));
        }
        producer().flush();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("broker did not acknowledge the batch", e);
        }
        return sent.toArray(Long[]::new);
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            // Ordering and durability are the relay's promise, so these are not left to configuration.
            producer = new KafkaProducer<>(kafka.producer(Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15000,
                    ProducerConfig.LINGER_MS_CONFIG, 5)), new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        relayThread.shutdown();
        try {
            relayThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
