package io.palisade.webhook.deliveries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.palisade.webhook.ContractSamples;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.PalisadeTestStack.RunningService;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.TestReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Retry state lives in PostgreSQL: webhook-service (run from its build output, loopback allowed for this test) is
 * killed while 20 deliveries wait for their second attempt; started again, it sends exactly those, once each, and
 * never again the 20 that had already succeeded.
 */
class DeliveryDurabilityIT {

    private static final int EVENTS = 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String register(RunningService service, TestTenancy.Tenant tenant, String url) throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/webhooks/endpoints"))
                .header("Authorization", "Bearer " + tenant.ownerToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", url).put("eventTypes", new JsonArray().add("booking.confirmed"))
                        .encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        return new JsonObject(created.body()).getJsonObject("endpoint").getString("id");
    }

    private static long count(String sql, UUID tenant) throws Exception {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, tenant);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline && !condition.call()) {
            Thread.sleep(200);
        }
        assertTrue(condition.call(), what);
    }

    @Test
    void pendingRetriesSurviveACrashAndSuccessesAreNeverSentAgain() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        TestTenancy.ensureSchema();
        int port = PalisadeTestStack.freePort();
        TestReceiver receiver = TestReceiver.http(port);
        List<TestReceiver.Answer> failFirst = new ArrayList<>(Collections.nCopies(EVENTS, TestReceiver.Answer.status(503)));
        failFirst.add(TestReceiver.Answer.status(200));
        receiver.script("/flaky", failFirst.toArray(TestReceiver.Answer[]::new));
        Map<String, String> config = Map.of("palisade.webhooks.egress.allow-loopback", "true", "palisade.webhooks.egress.http-allowed-hosts", "127.0.0.1",
                "palisade.webhooks.egress.allowed-ports", String.valueOf(port), "palisade.webhooks.retry-schedule", "0s,6s,6s,6s",
                "palisade.webhooks.retry-jitter", "0");
        ServiceSpec webhookService = ServiceSpec.named("webhook-service");

        RunningService first = stack.startService(webhookService, config);
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        register(first, tenant, "http://127.0.0.1:" + port + "/ok");
        register(first, tenant, "http://127.0.0.1:" + port + "/flaky");
        for (int i = 0; i < EVENTS; i++) {
            TestEvents.publish("palisade.booking.events", "/booking-service", tenant.id(), "booking.confirmed", "b-" + i, ContractSamples.sample("booking.confirmed"),
                    UUID.randomUUID().toString());
        }
        await(() -> count("select count(*) from webhook.deliveries where tenant_id = ? and status = 'succeeded'", tenant.id()) == EVENTS
                && count("select count(*) from webhook.deliveries where tenant_id = ? and status = 'pending' and attempts = 1", tenant.id()) == EVENTS,
                "20 delivered, 20 waiting for their second attempt");
        first.process().kill();

        Thread.sleep(7000);
        try (RunningService second = stack.startService(webhookService, config)) {
            await(() -> count("select count(*) from webhook.deliveries where tenant_id = ? and status = 'succeeded'", tenant.id()) == 2 * EVENTS,
                    "after the restart the waiting ones are delivered");
            Thread.sleep(2000);
        }
        Map<String, Long> ok = receiver.requests("/ok").stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
        Map<String, Long> flaky = receiver.requests("/flaky").stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
        assertEquals(EVENTS, ok.size());
        assertTrue(ok.values().stream().allMatch(n -> n == 1), "a success is never sent again: " + ok);
        assertEquals(EVENTS, flaky.size());
        assertTrue(flaky.values().stream().allMatch(n -> n == 2), "each waiting delivery sent once more, after the restart: " + flaky);
        assertEquals(Map.of(2L, (long) EVENTS), flaky.values().stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
    }
}
