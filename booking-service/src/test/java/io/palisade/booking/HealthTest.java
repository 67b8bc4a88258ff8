package io.palisade.booking;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Liveness tells the truth about background work: a scheduled job stuck past its next runs, and a consumer loop
 * thread that died, each make /q/health/live DOWN while readiness (the database pool) stays UP.
 */
@QuarkusTest
@TestProfile(HealthTest.BreakableLoops.class)
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class HealthTest {

    static final String KILL_TYPE = "test.kill-consumer-loop";

    public static class BreakableLoops implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kafka.interceptor.classes", LoopKiller.class.getName(), "palisade.health.job-stall", "PT3S");
        }
    }

    /** Configured as a Kafka interceptor: kills the consumer thread that receives the marked event, as a fatal Error would. */
    public static class LoopKiller implements ConsumerInterceptor<String, String>, ProducerInterceptor<String, String> {
        @Override
        public ConsumerRecords<String, String> onConsume(ConsumerRecords<String, String> records) {
            records.forEach(record -> {
                if (record.value() != null && record.value().contains(KILL_TYPE)) {
                    throw new OutOfMemoryError("killed by HealthTest");
                }
            });
            return records;
        }

        @Override
        public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    @Test
    void aStuckJobAndADeadConsumerMakeLivenessFailWhileReadinessHolds() throws Exception {
        given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").then().statusCode(200);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // The hold-expiry job (every second) now waits for this lock: its next runs are skipped.
            st.execute("lock table booking.bookings in access exclusive mode");
            await(() -> given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").statusCode() == 503, "liveness DOWN while the job is stuck");
            given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").then().body(containsString("scheduled job"));
            given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200);
            c.rollback();
        }
        await(() -> given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").statusCode() == 200, "liveness UP once the job ran again");

        TestEvents.publish("palisade.payment.events", "/payment-service", UUID.randomUUID(), KILL_TYPE, null, Map.of(),
                UUID.randomUUID().toString());
        await(() -> given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").statusCode() == 503, "liveness DOWN once the consumer thread died");
        given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").then().body(containsString("consumer of [palisade.payment.events] has died"))
                .body(not(containsString("scheduled job")));
        given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 30 s: " + given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").asString());
            }
            Thread.sleep(200);
        }
    }
}
