package io.palisade.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestDirectories;

/** The broker authenticates every client and lets each service do exactly what kafka-acls.yaml lists, nothing more. */
class KafkaAclsTest {

    private static final KafkaAcls ACLS = KafkaAcls.load();
    private static KafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> passwords = new HashMap<>();
        KafkaBroker.users().forEach(user -> passwords.put(user, "pw-" + UUID.randomUUID()));
        broker = new KafkaBroker(TestDirectories.create("kafka-acls"), PalisadeTestStack.freePort(), PalisadeTestStack.freePort(), passwords);
        broker.start();
    }

    @AfterAll
    static void stop() {
        broker.stop();
    }

    @Test
    void bookingServiceCannotConfirmPaymentsOrReadTheAuditTopic() {
        Throwable refused = assertThrows(ExecutionException.class, () -> send("booking-service", "palisade.payment.events")).getCause();
        assertInstanceOf(TopicAuthorizationException.class, refused, "producing payment.succeeded as booking-service");
        assertInstanceOf(TopicAuthorizationException.class, poll("booking-service", "palisade.audit", "booking-service"),
                "reading a topic booking-service does not consume");
        assertInstanceOf(GroupAuthorizationException.class, poll("booking-service", "palisade.payment.events", "payment-service"),
                "consuming in another service's group");
    }

    @Test
    void everyServiceWritesAndReadsWhatTheTableGivesIt() throws Exception {
        for (var user : ACLS.users().entrySet()) {
            for (String topic : user.getValue().writes()) {
                send(user.getKey(), topic);
            }
            for (String topic : user.getValue().reads()) {
                assertEquals(null, poll(user.getKey(), topic, user.getValue().groups().get(0)), user.getKey() + " reads " + topic);
            }
        }
    }

    @Test
    void noTopicIsCreatedByUseAndNoServiceWritesAnotherServicesTopic() {
        for (var user : ACLS.users().entrySet()) {
            for (String topic : ACLS.topics()) {
                if (!user.getValue().writes().contains(topic)) {
                    Throwable refused = assertThrows(ExecutionException.class, () -> send(user.getKey(), topic), user.getKey() + " → " + topic)
                            .getCause();
                    assertInstanceOf(TopicAuthorizationException.class, refused, user.getKey() + " → " + topic);
                }
            }
        }
        Throwable refused = assertThrows(ExecutionException.class, () -> send("tenant-service", "palisade.invented")).getCause();
        assertInstanceOf(TopicAuthorizationException.class, refused);
    }

    @Test
    void aWrongPasswordIsRefusedAndTheTableHoldsAfterARestart() throws Exception {
        Map<String, Object> settings = new HashMap<>(broker.clientSettings("payment-service"));
        settings.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"payment-service\" password=\"guess\";");
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            Throwable refused = assertThrows(Exception.class, () -> producer.send(new ProducerRecord<>("palisade.payment.events", "k", "v"))
                    .get(10, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, refused instanceof ExecutionException ? refused.getCause() : refused);
        }
        broker.stop();
        broker.start();
        send("payment-service", "palisade.payment.events");
        Throwable refused = assertThrows(ExecutionException.class, () -> send("booking-service", "palisade.payment.events")).getCause();
        assertInstanceOf(TopicAuthorizationException.class, refused);
    }

    private static void send(String user, String topic) throws Exception {
        Map<String, Object> settings = new HashMap<>(broker.clientSettings(user));
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "tenant", "{}")).get(20, TimeUnit.SECONDS);
        }
    }

    /** Polls once as the user in the group; returns what the broker refused, or null. */
    private static Throwable poll(String user, String topic, String group) {
        Map<String, Object> settings = new HashMap<>(broker.clientSettings(user));
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            return consumer.assignment().isEmpty() ? new AssertionError("no partitions assigned to " + user + " within 15 s") : null;
        } catch (TopicAuthorizationException | GroupAuthorizationException e) {
            return e;
        }
    }
}
