package io.palisade.webhook.deliveries;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.palisade.webhook.ContractSamples;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.PalisadeTestStack.RunningService;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.TestReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Figures, not assertions (-Pbenchmark, see webhook-service/README.md): signed deliveries per second from
 * webhook-service, run from its build output, to a receiver on loopback that answers at once: a first round on the
 * freshly started service, then a second once it is warm. The tables first get a history, analyzed as autovacuum
 * would have it on a running platform, which the rounds then outgrow as a burst does: on empty tables PostgreSQL
 * plans for empty tables, and keeps those plans while they fill.
 */
class DeliveryBenchmark {

    private static final int EVENTS = 1000;
    private static final int ENDPOINTS = 8;
    private static final int HISTORY_TENANTS = 50;
    private static final int HISTORY_MESSAGES = 400;

    @Test
    void deliveriesPerSecond() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        TestTenancy.ensureSchema();
        int port = PalisadeTestStack.freePort();
        TestReceiver receiver = TestReceiver.http(port);
        try (RunningService service = stack.startService(ServiceSpec.named("webhook-service"), Map.of("palisade.webhooks.egress.allow-loopback", "true",
                "palisade.webhooks.egress.http-allowed-hosts", "127.0.0.1", "palisade.webhooks.egress.allowed-ports", String.valueOf(port)))) {
            TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < ENDPOINTS; i++) {
                int status = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/webhooks/endpoints"))
                        .header("Authorization", "Bearer " + tenant.ownerToken()).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", "http://127.0.0.1:" + port + "/e" + i)
                                .put("eventTypes", new JsonArray().add("booking.confirmed")).encode())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 201) {
                    throw new IllegalStateException("registration answered " + status);
                }
            }
            history();
            java.util.Map<String, Object> props = stack.kafka().adminSettings();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            int perRound = EVENTS * ENDPOINTS;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                // A first round on the freshly started service (its code not yet compiled), then the same again on the warm one.
                for (int round = 1; round <= 2; round++) {
                    for (int i = 0; i < EVENTS; i++) {
                        JsonObject event = new JsonObject().put("specversion", "1.0").put("id", UUID.randomUUID().toString())
                                .put("source", "/booking-service").put("type", "booking.confirmed").put("time", Instant.now().toString())
                                .put("tenantid", tenant.id().toString()).put("data", new JsonObject(ContractSamples.sample("booking.confirmed")));
                        producer.send(new ProducerRecord<>("palisade.booking.events", tenant.id().toString(), event.encode()));
                    }
                    producer.flush();
                    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                    while (total(receiver) < round * perRound && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                }
            }
            List<Instant> times = java.util.stream.IntStream.range(0, ENDPOINTS).boxed()
                    .flatMap(i -> receiver.requests("/e" + i).stream()).map(TestReceiver.Request::receivedAt).sorted().toList();
            if (times.size() != 2 * perRound) {
                throw new IllegalStateException(times.size() + " deliveries received, " + 2 * perRound + " expected");
            }
            report("cold", times.subList(0, perRound));
            report("warm", times.subList(perRound, times.size()));
        }
    }

    /** Other tenants' delivered messages, two endpoints each, and the statistics of all of it. */
    private static void history() throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            st.execute("create temporary table history_tenants as select gen_random_uuid() as id from generate_series(1, " + HISTORY_TENANTS + ")");
            st.execute("insert into webhook.endpoints (id, tenant_id, url, event_types, secret_sealed, created_by) select gen_random_uuid(), t.id,"
                    + " 'https://receiver.example/' || g, '{booking.confirmed}', 'sealed', gen_random_uuid() from history_tenants t, generate_series(1, 2) g");
            st.execute("insert into webhook.messages (id, tenant_id, event_id, event_type, body) select gen_random_uuid(), t.id, 'history-' || g,"
                    + " 'booking.confirmed', '{}' from history_tenants t, generate_series(1, " + HISTORY_MESSAGES + ") g");
            st.execute("insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, attempts, last_attempt_at, last_status_code)"
                    + " select gen_random_uuid(), m.tenant_id, e.id, m.id, 'succeeded', 1, now(), 200 from webhook.messages m"
                    + " join webhook.endpoints e on e.tenant_id = m.tenant_id join history_tenants t on t.id = m.tenant_id");
            st.execute("insert into webhook.attempts (id, tenant_id, delivery_id, attempt, outcome, status_code, latency_ms)"
                    + " select gen_random_uuid(), d.tenant_id, d.id, 1, 'succeeded', 200, 5 from webhook.deliveries d join history_tenants t on t.id = d.tenant_id");
            st.execute("analyze webhook.endpoints, webhook.messages, webhook.deliveries, webhook.attempts");
        }
        System.out.printf("webhook deliveries: a history of %d deliveries (succeeded) of %d other tenants, analyzed%n", HISTORY_TENANTS * HISTORY_MESSAGES * 2,
                HISTORY_TENANTS);
    }

    private static void report(String round, List<Instant> times) {
        double seconds = Duration.between(times.get(0), times.get(times.size() - 1)).toMillis() / 1000.0;
        System.out.printf("webhook deliveries (%s): %d signed deliveries (%d events x %d endpoints) to a loopback receiver in %.1f s"
                + " = %.0f deliveries/s%n", round, times.size(), EVENTS, ENDPOINTS, seconds, times.size() / seconds);
    }

    private static int total(TestReceiver receiver) {
        int n = 0;
        for (int i = 0; i < ENDPOINTS; i++) {
            n += receiver.requests("/e" + i).size();
        }
        return n;
    }
}
