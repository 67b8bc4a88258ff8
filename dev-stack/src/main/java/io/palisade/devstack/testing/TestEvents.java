package io.palisade.devstack.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;

/**
 * Publishes CloudEvents to the test broker as another service would (key = tenant id), and reads a topic back. Both
 * sides use the official CloudEvents SDK (Kafka binding, structured JSON): what tests publish is what any SDK
 * producer sends, and every event a test reads must be one any SDK consumer can read.
 */
public final class TestEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern RFC_3339_WITH_SECONDS =
            java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)");
    private static KafkaProducer<String, CloudEvent> producer;

    private TestEvents() {
    }

    /** Publishes one event (a null tenant: a platform event) and waits for the broker's acknowledgement; returns the event id. */
    public static String publish(String topic, String source, UUID tenantId, String type, String subject, Map<String, Object> data, String eventId) {
        return publish(topic, source, tenantId, type, subject, data, eventId, null);
    }

    /** The same, continuing a trace: the W3C traceparent as the CloudEvents distributed-tracing extension. */
    public static String publish(String topic, String source, UUID tenantId, String type, String subject, Map<String, Object> data, String eventId,
            String traceparent) {
        CloudEventBuilder event = CloudEventBuilder.v1().withId(eventId).withSource(URI.create(source)).withType(type)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC));
        if (subject != null) {
            event.withSubject(subject);
        }
        if (tenantId != null) {
            event.withExtension("tenantid", tenantId.toString());
        }
        if (traceparent != null) {
            event.withExtension("traceparent", traceparent);
        }
        try {
            event.withData("application/json", JSON.writeValueAsBytes(data));
            producer().send(new ProducerRecord<>(topic, tenantId == null ? "platform" : tenantId.toString(), event.build())).get();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the event could not be published", e);
        }
        return eventId;
    }

    /**
     * Every event on a topic under one key (a tenant's id, or "platform"), oldest first, as parsed JSON: reads the
     * whole topic from the beginning with its own consumer (no group), until the end offsets seen at the start.
     */
    public static List<Map<String, Object>> read(String topic, String key) {
        return read(topic, key::equals);
    }

    /**
     * The first event of this type under this key once it is on the topic (30 s at most), read as {@link #read} reads
     * them; then every other event on the topic so far is checked the same way.
     */
    public static Map<String, Object> await(String topic, String key, String type) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Optional<Map<String, Object>> found = read(topic, key).stream().filter(e -> type.equals(e.get("type"))).findFirst();
            if (found.isPresent()) {
                readAll(topic);
                return found.get();
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no " + type + " for " + key + " on " + topic + " within 30 s");
    }

    /** Every event on a topic so far, of every tenant, each checked as {@link #read(String, String)} checks them. */
    public static List<Map<String, Object>> readAll(String topic) {
        return read(topic, key -> true);
    }

    private static List<Map<String, Object>> read(String topic, java.util.function.Predicate<String> keys) {
        Map<String, Object> props = PalisadeTestStack.get().kafka().adminSettings();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Map<String, Object>> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
                CloudEventDeserializer sdk = new CloudEventDeserializer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keys.test(record.key())) {
                        events.add(readableBySdk(sdk, record));
                    }
                }
            }
        }
        return events;
    }

    /**
     * The record as parsed JSON, after checking that the CloudEvents SDK's Kafka deserializer reads it to the same
     * id, type, source, subject, time and tenant extension (the key), with no attribute sent as null.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> readableBySdk(CloudEventDeserializer sdk, ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        Map<String, Object> json;
        CloudEvent event;
        try {
            json = JSON.readValue(record.value(), Map.class);
            event = sdk.deserialize(record.topic(), record.headers(), record.value());
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("the CloudEvents SDK cannot read the event at " + where + ": " + e, e);
        }
        List<String> problems = new ArrayList<>();
        json.forEach((attribute, value) -> {
            if (value == null) {
                problems.add(attribute + " is null (leave it out)");
            }
        });
        check(problems, "id", json.get("id"), event.getId());
        check(problems, "type", json.get("type"), event.getType());
        check(problems, "source", json.get("source"), String.valueOf(event.getSource()));
        check(problems, "subject", json.get("subject"), event.getSubject());
        check(problems, "tenantid", "platform".equals(record.key()) ? null : record.key(), event.getExtension("tenantid"));
        if (event.getTime() == null || !RFC_3339_WITH_SECONDS.matcher(String.valueOf(json.get("time"))).matches()) {
            problems.add("time " + json.get("time") + " is not RFC 3339 with seconds");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("the event at " + where + " as the CloudEvents SDK reads it: " + String.join("; ", problems));
        }
        return json;
    }

    private static void check(List<String> problems, String attribute, Object expected, Object read) {
        if (!java.util.Objects.equals(expected, read)) {
            problems.add(attribute + " read as " + read + ", expected " + expected);
        }
    }

    private static synchronized KafkaProducer<String, CloudEvent> producer() {
        if (producer == null) {
            Map<String, Object> props = PalisadeTestStack.get().kafka().adminSettings();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            CloudEventSerializer sdk = new CloudEventSerializer();
            sdk.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, Encoding.STRUCTURED, CloudEventSerializer.EVENT_FORMAT_CONFIG,
                    JsonFormat.CONTENT_TYPE), false);
            producer = new KafkaProducer<>(props, new StringSerializer(), sdk);
            Runtime.getRuntime().addShutdownHook(new Thread(producer::close));
        }
        return producer;
    }
}
