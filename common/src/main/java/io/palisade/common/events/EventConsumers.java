package io.palisade.common.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs every {@link EventHandler} of the service on its own thread: poll, handle each event in order, commit the
 * offset only after it was handled. A handler failure stops the partition at that event and retries it after
 * a pause, so nothing is skipped; a message that is not a CloudEvent is logged and passed over.
 */
@ApplicationScoped
public class EventConsumers {

    private static final Logger LOG = Logger.getLogger(EventConsumers.class);

    @Inject
    Instance<EventHandler> handlers;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "palisade.events.retry-pause", defaultValue = "PT2S")
    Duration retryPause;

    private final List<Runner> runners = new ArrayList<>();

    void start(@Observes StartupEvent event) {
        for (EventHandler handler : handlers) {
            Runner runner = new Runner(handler);
            runners.add(runner);
            Thread thread = new Thread(runner, "events-" + handler.topic());
            thread.setDaemon(true);
            thread.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        runners.forEach(Runner::stop);
    }

    private final class Runner implements Runnable {

        private final EventHandler handler;
        private final KafkaConsumer<String, String> consumer;
        private volatile boolean running = true;

        Runner(EventHandler handler) {
            this.handler = handler;
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, handler.group());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        }

        @Override
        public void run() {
            try {
                consumer.subscribe(List.of(handler.topic()));
                while (running) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                    for (TopicPartition partition : records.partitions()) {
                        for (ConsumerRecord<String, String> record : records.records(partition)) {
                            if (!handle(record)) {
                                // Retry this event after a pause; the rest of the partition waits behind it.
                                consumer.seek(partition, record.offset());
                                pause();
                                break;
                            }
                            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
                        }
                    }
                }
            } catch (WakeupException stopping) {
                // shutdown
            } catch (RuntimeException e) {
                LOG.errorf("consumer of %s stopped: %s", handler.topic(), e.getMessage());
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        private boolean handle(ConsumerRecord<String, String> record) {
            CloudEvent event;
            try {
                event = CloudEvent.parse(record.value());
            } catch (IllegalArgumentException e) {
                LOG.warnf("skipped a message that is not a CloudEvent at %s-%d@%d", record.topic(), record.partition(), record.offset());
                return true;
            }
            try {
                handler.handle(event).await().atMost(Duration.ofSeconds(30));
                return true;
            } catch (RuntimeException e) {
                LOG.warnf("event %s (%s) failed, will retry: %s", event.id(), event.type(), e.getMessage());
                return false;
            }
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
