package io.palisade.common.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.palisade.common.health.BackgroundWork;
import io.palisade.common.metrics.Gauges;
import io.palisade.common.health.Heartbeat;
import io.palisade.common.tracing.TraceContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.palisade.common.db.MigrationRun;

/**
 * Runs every {@link EventHandler} of the service on its own thread: poll, handle each event in order, commit the
 * offsets of what was handled after each poll. A handler failure stops the partition at that event and retries it after
 * a pause, so nothing is skipped. A message that can never be applied is logged as an error, counted as skipped and passed
 * over, one policy for all: not a CloudEvent, a source that is not the topic's writer ({@link Topics}), or an event of
 * a contract's type (EventContracts) on another topic or with data that does not follow its record.
 */
@ApplicationScoped
public class EventConsumers {

    private static final Logger LOG = Logger.getLogger(EventConsumers.class);
    /** A handler's longest turn on one event or one batch: the bound on stopping. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);
    /** A synchronous commit's longest wait (on shutdown, on handing partitions over): within the stop's bound. */
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(10);
    private static final String HANDLED = "handled";
    private static final String FAILED = "failed";
    private static final String SKIPPED = "skipped";

    private final Instance<EventHandler> handlers;
    private final KafkaClients kafka;
    private final Duration retryPause;
    private final BackgroundWork backgroundWork;
    private final MeterRegistry registry;
    private final Tracer tracer;
    private final MigrationRun migrationRun;

    private final List<Runner> runners = new ArrayList<>();

    EventConsumers(Instance<EventHandler> handlers, KafkaClients kafka,
            @ConfigProperty(name = "palisade.events.retry-pause", defaultValue = "PT2S") Duration retryPause, BackgroundWork backgroundWork,
            MeterRegistry registry, Tracer tracer, MigrationRun migrationRun) {
        this.handlers = handlers;
        this.kafka = kafka;
        this.retryPause = retryPause;
        this.backgroundWork = backgroundWork;
        this.registry = registry;
        this.tracer = tracer;
        this.migrationRun = migrationRun;
    }

    void start(@Observes StartupEvent event) {
        if (migrationRun.active()) {
            return;
        }
        for (EventHandler handler : handlers) {
            Runner runner = new Runner(handler);
            runners.add(runner);
            String topics = String.join(",", handler.topics());
            Thread thread = new Thread(runner, "events-" + topics);
            thread.setDaemon(true);
            // A handler may take 30 s per event and a retry pause after it; four times that without progress is stuck.
            runner.heartbeat = backgroundWork.watch("consumer of " + handler.topics(), thread, Duration.ofMinutes(2).plus(retryPause));
            runner.thread = thread;
            Gauges.register(registry, "palisade.events.lag", Tags.of("group", handler.group(), "topics", topics),
                    Gauge.builder("palisade.events.lag", runner.lag, AtomicLong::get).description("records on the handler's partitions not yet consumed"));
            for (String outcome : List.of(HANDLED, FAILED, SKIPPED)) {
                runner.outcomes.put(outcome, Counter.builder("palisade.events").tags("group", handler.group(), "topics", topics, "outcome", outcome)
                        .description("events by outcome: handled, failed (to be retried), skipped (can never be applied)").register(registry));
            }
            thread.start();
        }
    }

    /**
     * Stops every consumer after the event in hand (30 s at most, see docs/operations.md), committing what was handled:
     * after a restart the group resumes exactly there.
     */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        runners.forEach(Runner::stop);
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        for (Runner runner : runners) {
            runner.thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    private final class Runner implements Runnable {

        private final EventHandler handler;
        /** Where each partition this consumer owns resumes: after its last handled event. */
        private final Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        /** Something handled since the last commit was sent, or a commit failed: commit after this poll. */
        private boolean commitDue;
        private volatile KafkaConsumer<String, String> consumer;
        private volatile boolean running = true;
        private Heartbeat heartbeat;
        private Thread thread;
        private final AtomicLong lag = new AtomicLong();
        private final Map<String, Counter> outcomes = new HashMap<>();

        Runner(EventHandler handler) {
            this.handler = handler;
            this.consumer = newConsumer();
        }

        private KafkaConsumer<String, String> newConsumer() {
            // A batch handler applies a poll at once: larger polls, fewer transactions.
            int records = handler instanceof BatchEventHandler ? 1000 : 20;
            Map<String, Object> settings = kafka.consumer(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, handler.group(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    // A handler may take up to 30 s per event (a batch falls back to one at a time): a poll's records
                    // must fit the poll interval even then.
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, records,
                    ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) (records * SHUTDOWN_WAIT.toMillis() * 3 / 2),
                    // An instance that dies hands its partitions over within 10 s (Kafka's default waits 45 s).
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
            return new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer());
        }

        /**
         * Polls until stopped; a Kafka failure (a broker gone) gets a fresh consumer. An Error ends the thread, and
         * liveness reports it.
         */
        @Override
        public void run() {
            try {
                consume();
            } catch (Error fatal) {
                // The thread ends (liveness reports it); the consumer leaves its group at once, so the service's other
                // instances take its partitions instead of waiting for the poll interval to run out.
                LOG.errorf(fatal, "consumer of %s died", handler.topics());
                consumer.close(Duration.ofSeconds(5));
                throw fatal;
            }
        }

        private void consume() {
            while (running) {
                try {
                    consumer.subscribe(handler.topics(), new CommitOnRevoke());
                    while (running) {
                        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                        heartbeat.beat();
                        measureLag();
                        handleInOrder(records);
                    }
                } catch (WakeupException stopping) {
                    // shutdown: what was handled is committed below
                } catch (RuntimeException e) {
                    LOG.warnf("consumer of %s failed, starting a new one: %s", handler.topics(), e.getMessage());
                    handled.clear();
                    commitDue = false;
                    consumer.close(Duration.ofSeconds(5));
                    pause();
                    consumer = newConsumer();
                    continue;
                }
                break;
            }
            try {
                commitHandledAndWait();
            } catch (RuntimeException e) {
                LOG.warnf("consumer of %s could not commit on shutdown (the events are handled again, once): %s", handler.topics(),
                        e.getMessage());
            }
            consumer.close(Duration.ofSeconds(5));
            heartbeat.stopped();
        }

        /**
         * A batch handler gets the whole poll in one call (one transaction, each partition's events in their order);
         * when that failed, or for another handler, each partition in order, a partition's records as one batch first
         * for a batch handler, else one event at a time, a failed event stopping its partition to be retried after a
         * pause. The offsets are committed once per poll.
         */
        private void handleInOrder(ConsumerRecords<String, String> records) {
            if (handler instanceof BatchEventHandler batches && records.partitions().size() > 1 && running
                    && handleAsOne(batches, inPartitionOrder(records))) {
                for (TopicPartition partition : records.partitions()) {
                    markHandled(partition, records.records(partition).getLast());
                }
            } else {
                for (TopicPartition partition : records.partitions()) {
                    if (!running) {
                        break;
                    }
                    handlePartition(partition, records.records(partition));
                }
            }
            commitHandled();
        }

        private void handlePartition(TopicPartition partition, List<ConsumerRecord<String, String>> batch) {
            if (handler instanceof BatchEventHandler batches && batch.size() > 1 && handleAsOne(batches, batch)) {
                markHandled(partition, batch.getLast());
                return;
            }
            for (ConsumerRecord<String, String> record : batch) {
                if (!running) {
                    return;
                }
                if (!handle(record)) {
                    // Retry this event after a pause; the rest of the partition waits behind it.
                    consumer.seek(partition, record.offset());
                    pause();
                    return;
                }
                markHandled(partition, record);
            }
        }

        private void markHandled(TopicPartition partition, ConsumerRecord<String, String> record) {
            handled.put(partition, new OffsetAndMetadata(record.offset() + 1));
            commitDue = true;
            heartbeat.beat();
        }

        private static List<ConsumerRecord<String, String>> inPartitionOrder(ConsumerRecords<String, String> records) {
            List<ConsumerRecord<String, String>> all = new ArrayList<>(records.count());
            records.partitions().forEach(partition -> all.addAll(records.records(partition)));
            return all;
        }

        /** The consumer knows its lag from the last fetch; read here, on its own thread (it is not thread-safe). */
        private void measureLag() {
            long total = 0;
            for (TopicPartition partition : consumer.assignment()) {
                total += consumer.currentLag(partition).orElse(0);
            }
            lag.set(total);
        }

        /**
         * Every owned partition's position, without waiting for the broker: a crash or a rebalance before it lands
         * redelivers the last polls' events, which handlers apply once anyway (idempotent on the event id). A failed
         * commit is sent again after the next poll; Kafka sends the commits in order.
         */
        private void commitHandled() {
            if (commitDue && !handled.isEmpty()) {
                commitDue = false;
                consumer.commitAsync(Map.copyOf(handled), (offsets, failure) -> {
                    if (failure != null) {
                        // Runs on this thread, in a later poll: the next loop sends the positions again.
                        commitDue = true;
                        LOG.logf(failure instanceof RetriableCommitFailedException ? Logger.Level.DEBUG : Logger.Level.WARN,
                                "consumer of %s: a commit failed, sent again after the next poll: %s", handler.topics(), failure.getMessage());
                    }
                });
            }
        }

        /** On shutdown: the group resumes exactly after what was handled. */
        private void commitHandledAndWait() {
            if (handled.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(handled, COMMIT_WAIT);
            } catch (WakeupException stopping) {
                // The wake-up that stopped the loop may still be pending; it is spent now, so the second try runs.
                consumer.commitSync(handled, COMMIT_WAIT);
            }
        }

        /**
         * Before a partition goes to another instance, its position is committed (so the new owner starts after what
         * was handled here) and forgotten (so a later commit of this one cannot move the new owner's back).
         */
        private final class CommitOnRevoke implements ConsumerRebalanceListener {

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                Map<TopicPartition, OffsetAndMetadata> leaving = new HashMap<>();
                partitions.forEach(partition -> {
                    OffsetAndMetadata position = handled.remove(partition);
                    if (position != null) {
                        leaving.put(partition, position);
                    }
                });
                if (!leaving.isEmpty()) {
                    try {
                        consumer.commitSync(leaving, COMMIT_WAIT);
                    } catch (RuntimeException e) {
                        LOG.warnf("consumer of %s could not commit partitions it hands over (their new owner handles the last events again, once): %s",
                                handler.topics(), e.getMessage());
                    }
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Already another's: nothing of them may be committed from here.
                partitions.forEach(handled::remove);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // Positions come from the group's committed offsets.
            }
        }

        /**
         * Records of one poll (all of it, or one partition's) in one call of the handler; false (nothing counted) when
         * that failed, and the records are then handled in smaller steps (handleInOrder). What cannot be applied is passed over as one at a time would.
         */
        private boolean handleAsOne(BatchEventHandler batches, List<ConsumerRecord<String, String>> records) {
            List<CloudEvent> events = new ArrayList<>();
            List<ConsumerRecord<String, String>> passedOver = new ArrayList<>();
            for (ConsumerRecord<String, String> record : records) {
                try {
                    CloudEvent event = CloudEvent.parse(record.value());
                    if (refusal(record.topic(), event).isPresent()) {
                        passedOver.add(record);
                    } else {
                        events.add(event);
                    }
                } catch (IllegalArgumentException e) {
                    passedOver.add(record);
                }
            }
            // One span for the batch, linked to each event's own trace.
            io.opentelemetry.api.trace.SpanBuilder builder = tracer.spanBuilder("consume " + events.size() + " events").setSpanKind(SpanKind.CONSUMER)
                    .setAttribute("messaging.destination.name", String.join(",", handler.topics())).setAttribute("messaging.batch.message_count", events.size());
            for (CloudEvent event : events) {
                io.opentelemetry.api.trace.SpanContext linked = Span.fromContext(TraceContext.parent(event.traceparent())).getSpanContext();
                if (linked.isValid()) {
                    builder.addLink(linked);
                }
            }
            Span span = builder.startSpan();
            try (Scope ignored = span.makeCurrent()) {
                if (!events.isEmpty()) {
                    batches.handleAll(events).await().atMost(SHUTDOWN_WAIT);
                }
            } catch (RuntimeException e) {
                span.recordException(e);
                LOG.debugf("a batch of %d events failed, handling them one at a time: %s", events.size(), e.getMessage());
                return false;
            } finally {
                span.end();
            }
            outcomes.get(HANDLED).increment(events.size());
            passedOver.forEach(this::handle);
            return true;
        }

        private boolean handle(ConsumerRecord<String, String> record) {
            CloudEvent event;
            try {
                event = CloudEvent.parse(record.value());
            } catch (IllegalArgumentException e) {
                LOG.warnf("skipped a message that is not a CloudEvent at %s-%d@%d", record.topic(), record.partition(), record.offset());
                outcomes.get(SKIPPED).increment();
                return true;
            }
            java.util.Optional<String> refusal = refusal(record.topic(), event);
            if (refusal.isPresent()) {
                // The one policy for what can never be applied: logged as an error, counted, passed over.
                LOG.errorf("event %s (%s) at %s-%d@%d is not applied: %s", event.id(), event.type(), record.topic(), record.partition(),
                        record.offset(), refusal.get());
                outcomes.get(SKIPPED).increment();
                return true;
            }
            // A span of the event's own trace: what the handler writes (an outbox row, a webhook message) continues it.
            Span span = tracer.spanBuilder("consume " + event.type()).setSpanKind(SpanKind.CONSUMER)
                    .setParent(TraceContext.parent(event.traceparent())).setAttribute("messaging.destination.name", record.topic())
                    .setAttribute("messaging.message.id", event.id()).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                handler.handle(event).await().atMost(SHUTDOWN_WAIT);
                outcomes.get(HANDLED).increment();
                return true;
            } catch (RuntimeException e) {
                span.recordException(e);
                if (permanent(e)) {
                    // Bad data never gets better: retrying it would stop every tenant behind it on the partition.
                    LOG.errorf("event %s (%s) can never be applied and is passed over: %s", event.id(), event.type(), e.getMessage());
                    outcomes.get(SKIPPED).increment();
                    return true;
                }
                LOG.warnf("event %s (%s) failed, will retry: %s", event.id(), event.type(), e.getMessage());
                outcomes.get(FAILED).increment();
                return false;
            } finally {
                span.end();
            }
        }

        /** Why an event can never be applied here: from another service than its topic's, or against its contract. */
        private static java.util.Optional<String> refusal(String topic, CloudEvent event) {
            return Topics.wrongSource(topic, event.source()).or(() -> breachOfContract(topic, event));
        }

        /**
         * Why an event of a contract's type cannot be applied: on another topic than its type's, or data that does not
         * follow its record (EventContracts). The audit stream's events are the handler's (AuditEvent, their own contract).
         */
        private static java.util.Optional<String> breachOfContract(String topic, CloudEvent event) {
            if (Topics.AUDIT.equals(topic)) {
                // The audit stream's events are AuditEvents, named by their action (which may be a domain type's name).
                return java.util.Optional.empty();
            }
            return EventContracts.named(event.type()).flatMap(type -> {
                if (!type.topic().equals(topic)) {
                    return java.util.Optional.of(event.type() + " belongs on " + type.topic());
                }
                try {
                    type.read(event.data());
                    return java.util.Optional.empty();
                } catch (IllegalArgumentException e) {
                    return java.util.Optional.of(e.getMessage());
                }
            });
        }

        /** Invalid input (SQLSTATE classes 22, 23, 54) or a refused argument: the same event would fail again. */
        private static boolean permanent(Throwable e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof IllegalArgumentException) {
                    return true;
                }
                if (cause instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
                        && List.of("22", "23", "54").contains(pg.getSqlState().substring(0, 2))) {
                    return true;
                }
            }
            return false;
        }

        private void pause() {
            try {
                Thread.sleep(retryPause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }

        void stop() {
            running = false;
            consumer.wakeup();
        }
    }
}
