package io.palisade.webhook.deliveries;

import static io.palisade.webhook.WebhookApi.as;
import static io.palisade.webhook.deliveries.Deliveries.latest;
import static io.palisade.webhook.deliveries.Deliveries.await;
import static io.palisade.webhook.deliveries.Deliveries.publish;
import static io.palisade.webhook.deliveries.Deliveries.register;
import static io.palisade.webhook.deliveries.Deliveries.verifies;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.palisade.webhook.ContractSamples.sample;
import io.palisade.webhook.ContractSamples;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.Metrics;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.LoopbackReceivers;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.TestReceiver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * Deliveries to local receivers (loopback allowed by the test profile only; retries at 0, 1, 1, 2 s): fan-out to
 * the tenant's subscribed endpoints only, Standard Webhooks signatures that an independent check accepts, retries on
 * 5xx and 429 (Retry-After honoured) but not on other 4xx, no redirects, TLS verified for the URL's name, replay,
 * auto-disable, and a slow endpoint that does not hold up a fast one.
 */
@QuarkusTest
@TestProfile(LoopbackReceivers.class)
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class DeliveryTest {

    static final TestReceiver RECEIVER = WebhookServiceStack.RECEIVER;
    static final TestReceiver TLS = WebhookServiceStack.TLS_RECEIVER;

    @BeforeEach
    void dns() {
        for (String host : List.of("receiver.example.test", "tls.example.test", "wrongname.example.test")) {
            ScriptedResolver.answer(host, List.of("127.0.0.1"));
        }
    }

    static String url(String path) {
        return "http://receiver.example.test:" + RECEIVER.port() + path;
    }

    static String path() {
        return "/" + UUID.randomUUID();
    }

    @Test
    void subscribedEventsReachTheTenantsEndpointsSignedOnce() throws Exception {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        String aPath = path();
        String bPath = path();
        Deliveries.Endpoint endpoint = register(a, url(aPath), "booking.confirmed");
        register(b, url(bPath), "booking.confirmed");
        double succeeded = counter("palisade_webhooks_deliveries_total", "outcome", "succeeded");
        double timed = counter("palisade_webhooks_delivery_latency_seconds_count");
        double handled = counter("palisade_events_total", "group", "webhook-service", "outcome", "handled");

        Map<String, Object> confirmed = sample("booking.confirmed");
        String eventId = publish(a, "booking.confirmed", confirmed);
        publish(a, "booking.created", sample("booking.created"));
        await(() -> RECEIVER.requests(aPath).size() == 1, "A's endpoint got the event");
        publish(a, "booking.confirmed", sample("booking.confirmed"), eventId);
        Thread.sleep(1500);
        assertEquals(1, RECEIVER.requests(aPath).size(), "once, though the event came twice; nothing for the unsubscribed type");
        assertEquals(0, RECEIVER.requests(bPath).size(), "B's endpoint never sees A's events");

        TestReceiver.Request request = RECEIVER.requests(aPath).get(0);
        assertTrue(verifies(endpoint.secret(), request), "the signature verifies independently");
        // One character of the key changed (never of the whsec_ prefix: String.replace would change every occurrence).
        StringBuilder other = new StringBuilder(endpoint.secret());
        other.setCharAt(10, other.charAt(10) == 'A' ? 'B' : 'A');
        assertFalse(verifies(other.toString(), request), "and not with another secret");
        assertTrue(request.header("webhook-id").startsWith("msg_"));
        assertEquals("application/json", request.header("Content-Type"));
        assertEquals("receiver.example.test:" + RECEIVER.port(), request.header("Host"));
        JsonObject body = new JsonObject(request.body());
        assertEquals("booking.confirmed", body.getString("type"));
        assertEquals(eventId, body.getString("id"));
        assertEquals(new JsonObject(new JsonObject(confirmed).encode()), body.getJsonObject("data"), "the data as its record writes it");

        as(a.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries").then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].status", equalTo("succeeded")).body("items[0].eventId", equalTo(eventId))
                .body("items[0].messageId", equalTo(request.header("webhook-id")));
        // At least: retries of other tests' deliveries may be counted meanwhile.
        assertTrue(counter("palisade_webhooks_deliveries_total", "outcome", "succeeded") >= succeeded + 1, "metrics count the delivery");
        assertTrue(counter("palisade_webhooks_delivery_latency_seconds_count") >= timed + 1, "and time it");
        assertTrue(counter("palisade_events_total", "group", "webhook-service", "outcome", "handled") >= handled + 3, "and the events consumed");
    }

    private static double counter(String name, String... labels) {
        return Metrics.counter(io.restassured.RestAssured.given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString(), name, labels);
    }

    @Test
    void retriedOn5xxAnd429WithRetryAfterButNotOnOther4xx() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String flaky = path();
        String gone = path();
        RECEIVER.script(flaky, TestReceiver.Answer.status(503), new TestReceiver.Answer(429, Map.of("Retry-After", "3"), 0),
                TestReceiver.Answer.status(204));
        RECEIVER.script(gone, TestReceiver.Answer.status(410));
        Deliveries.Endpoint retried = register(tenant, url(flaky), "payment.succeeded");
        Deliveries.Endpoint refused = register(tenant, url(gone), "payment.succeeded");
        publish(tenant, "payment.succeeded", sample("payment.succeeded"));

        await(() -> RECEIVER.requests(flaky).size() == 3, "three attempts");
        List<TestReceiver.Request> tries = RECEIVER.requests(flaky);
        assertTrue(Duration.between(tries.get(0).receivedAt(), tries.get(1).receivedAt()).toMillis() >= 900, "the schedule's 1 s");
        assertTrue(Duration.between(tries.get(1).receivedAt(), tries.get(2).receivedAt()).toMillis() >= 2900, "Retry-After: 3 beats 1 s");
        assertEquals(1, tries.stream().map(r -> r.header("webhook-id")).distinct().count(), "one message id across attempts");
        Thread.sleep(2500);
        assertEquals(1, RECEIVER.requests(gone).size(), "a 410 is not retried");

        String deliveryId = as(tenant.ownerToken()).get("/webhooks/endpoints/" + retried.id() + "/deliveries").then()
                .body("items[0].status", equalTo("succeeded")).extract().path("items[0].id");
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + retried.id() + "/deliveries/" + deliveryId + "/attempts").then().statusCode(200)
                .body("outcome", equalTo(List.of("retrying", "retrying", "succeeded"))).body("statusCode", equalTo(List.of(503, 429, 204)))
                .body("[0].responseExcerpt", containsString("\"status\":503"));
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + refused.id() + "/deliveries").then()
                .body("items[0].status", equalTo("failed")).body("items[0].lastStatusCode", equalTo(410));
    }

    @Test
    void oddAnswersNeitherStallNorRepeatADelivery() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String nul = path();
        String huge = path();
        RECEIVER.script(nul, new TestReceiver.Answer(200, Map.of(), 0, "ok\u0000then a NUL"));
        RECEIVER.script(huge, new TestReceiver.Answer(503, Map.of("Retry-After", "9223372036854775807"), 0));
        Deliveries.Endpoint withNul = register(tenant, url(nul), "booking.created");
        Deliveries.Endpoint later = register(tenant, url(huge), "booking.created");
        publish(tenant, "booking.created", sample("booking.created"));
        await(() -> "succeeded".equals(latest(tenant, withNul, "status")), "a 200 whose body holds a NUL is recorded as delivered");
        await(() -> latest(tenant, later, "nextAttemptAt") != null, "an absurd Retry-After is recorded");
        OffsetDateTime next = OffsetDateTime.parse(latest(tenant, later, "nextAttemptAt"));
        assertTrue(next.isBefore(OffsetDateTime.now().plusHours(25)), "Retry-After is honoured up to a day: " + next);
        Thread.sleep(1500);
        assertEquals(1, RECEIVER.requests(nul).size(), "delivered once, not again");
        assertEquals(1, RECEIVER.requests(huge).size());
    }

    @Test
    void aReplayStartsTheScheduleAgainAndWaitsForAnAttemptInFlight() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String p = path();
        RECEIVER.script(p, TestReceiver.Answer.status(503));
        Deliveries.Endpoint endpoint = register(tenant, url(p), "booking.refunded");
        publish(tenant, "booking.refunded", sample("booking.refunded"));
        await(() -> "failed".equals(latest(tenant, endpoint, "status")), "all four attempts of the test schedule failed");
        assertEquals(4, RECEIVER.requests(p).size());
        String delivery = latest(tenant, endpoint, "id");

        RECEIVER.script(p, new TestReceiver.Answer(503, Map.of(), 3000), TestReceiver.Answer.status(503));
        as(tenant.ownerToken()).post("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + delivery + "/replay").then().statusCode(202);
        await(() -> RECEIVER.requests(p).size() == 5, "the replayed attempt is in flight (the receiver takes 3 s)");
        as(tenant.ownerToken()).post("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + delivery + "/replay").then().statusCode(409);
        await(() -> RECEIVER.requests(p).size() == 6, "a 503 after a replay is retried: the schedule started again");
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + delivery + "/attempts").then()
                .body("[4].outcome", equalTo("retrying"));
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String moved = path();
        String target = path();
        RECEIVER.script(moved, new TestReceiver.Answer(302, Map.of("Location", url(target)), 0));
        Deliveries.Endpoint endpoint = register(tenant, url(moved), "booking.cancelled");
        publish(tenant, "booking.cancelled", sample("booking.cancelled"));
        await(() -> RECEIVER.requests(moved).size() == 1, "the attempt");
        Thread.sleep(2500);
        assertEquals(1, RECEIVER.requests(moved).size(), "a redirect is an answer, not retried");
        assertEquals(0, RECEIVER.requests(target).size(), "and not followed");
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries").then()
                .body("items[0].status", equalTo("failed")).body("items[0].lastStatusCode", equalTo(302));
    }

    @Test
    void tlsIsVerifiedForTheUrlsNameOnTheCheckedAddress() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String right = path();
        String wrong = path();
        register(tenant, "https://tls.example.test:" + TLS.port() + right, "booking.rebooked");
        Deliveries.Endpoint mismatched = register(tenant, "https://wrongname.example.test:" + TLS.port() + wrong, "booking.rebooked");
        publish(tenant, "booking.rebooked", sample("booking.rebooked"));
        await(() -> TLS.requests(right).size() == 1, "delivered over TLS to the certificate's name");
        assertEquals("tls.example.test:" + TLS.port(), TLS.requests(right).get(0).header("Host"));
        await(() -> latest(tenant, mismatched, "lastError") != null, "an attempt was made");
        String error = latest(tenant, mismatched, "lastError");
        assertTrue(error.contains("SSLHandshakeException"), error);
        assertEquals(0, TLS.requests(wrong).size(), "a certificate for another name gets nothing");
    }

    @Test
    void replayOneMessageOrEverythingFailedSince() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String p = path();
        RECEIVER.script(p, TestReceiver.Answer.status(400), TestReceiver.Answer.status(400), TestReceiver.Answer.status(200));
        Deliveries.Endpoint endpoint = register(tenant, url(p), "booking.expired");
        OffsetDateTime before = OffsetDateTime.now().minusMinutes(1);
        publish(tenant, "booking.expired", sample("booking.expired"));
        publish(tenant, "booking.expired", sample("booking.expired"));
        await(() -> RECEIVER.requests(p).size() == 2, "both failed once");
        String first = as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries?status=failed").then()
                .body("items.size()", equalTo(2)).extract().path("items[0].id");

        as(tenant.ownerToken()).post("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + first + "/replay").then().statusCode(202)
                .body("status", equalTo("pending"));
        await(() -> RECEIVER.requests(p).size() == 3, "the replayed one went out again");
        await(() -> "succeeded".equals(as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries").then().extract()
                .path("items.find { it.id == '" + first + "' }.status")), "and succeeded");

        as(tenant.ownerToken()).body(Map.of("since", before.toString())).post("/webhooks/endpoints/" + endpoint.id() + "/replay").then()
                .statusCode(202).body("replayed", equalTo(1));
        await(() -> RECEIVER.requests(p).size() == 4, "every failed one since then went out again");
        as(tenant.ownerToken()).post("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + UUID.randomUUID() + "/replay").then().statusCode(404);
    }

    @Test
    void anEndpointFailingForTooLongIsDisabledAndTheTenantTold() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String failing = path();
        String told = path();
        RECEIVER.script(failing, TestReceiver.Answer.status(500));
        Deliveries.Endpoint broken = register(tenant, url(failing), "booking.cancelled");
        register(tenant, url(told), "webhook.endpoint_disabled");
        double disabledBefore = counter("palisade_webhooks_endpoints_disabled_total");
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            // It has been failing for six days (the default limit is five).
            st.executeUpdate("update webhook.endpoints set failing_since = now() - interval '6 days' where id = '" + broken.id() + "'");
        }
        publish(tenant, "booking.cancelled", sample("booking.cancelled"));
        await(() -> Boolean.FALSE.equals(as(tenant.ownerToken()).get("/webhooks/endpoints/" + broken.id()).then().extract().path("enabled")),
                "disabled after the failed attempt");
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + broken.id()).then().body("disabledReason", containsString("failing since"));
        assertEquals(disabledBefore + 1, counter("palisade_webhooks_endpoints_disabled_total"), "an auto-disable is counted");
        await(() -> RECEIVER.requests(told).size() == 1, "the tenant's other endpoint hears of it");
        assertEquals(broken.id(), new JsonObject(RECEIVER.requests(told).get(0).body()).getJsonObject("data").getString("endpointId"));
        Map<String, Object> disabled = TestEvents.await("palisade.webhook.events", tenant.id().toString(), "webhook.endpoint_disabled");
        assertEquals("/webhook-service", disabled.get("source"), "read by the CloudEvents SDK, as any internal consumer may");
        int attempts = RECEIVER.requests(failing).size();
        publish(tenant, "booking.cancelled", sample("booking.cancelled"));
        Thread.sleep(2000);
        assertEquals(attempts, RECEIVER.requests(failing).size(), "a disabled endpoint gets nothing");
    }

    /** Deliveries of several tenants that fall due at once are claimed together and each sent under its tenant's scope. */
    @Test
    void oneClaimOfSeveralTenantsSendsEachTenantsDelivery() throws Exception {
        List<TestTenancy.Tenant> tenants = List.of(TestTenancy.newTenant(0), TestTenancy.newTenant(0), TestTenancy.newTenant(0));
        List<String> paths = new ArrayList<>();
        List<UUID> held = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            for (TestTenancy.Tenant tenant : tenants) {
                String path = path();
                paths.add(path);
                Deliveries.Endpoint endpoint = register(tenant, url(path), "booking.confirmed");
                UUID message = UUID.randomUUID();
                UUID delivery = UUID.randomUUID();
                held.add(delivery);
                // Not due yet: all fall due in one statement below, so that one claim finds them together.
                st.execute("insert into webhook.messages (id, tenant_id, event_id, event_type, body) values ('" + message + "', '" + tenant.id()
                        + "', '" + UUID.randomUUID() + "', 'booking.confirmed', '{\"tenant\":\"" + tenant.id() + "\"}')");
                st.execute("insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, next_attempt_at) values ('" + delivery
                        + "', '" + tenant.id() + "', '" + endpoint.id() + "', '" + message + "', 'pending', now() + interval '1 hour')");
            }
            st.execute("update webhook.deliveries set next_attempt_at = now() where id in ('" + String.join("', '", held.stream().map(UUID::toString).toList())
                    + "')");
        }
        await(() -> paths.stream().allMatch(path -> RECEIVER.requests(path).size() == 1), "each tenant's endpoint got its delivery");
        for (int i = 0; i < tenants.size(); i++) {
            assertEquals(new JsonObject().put("tenant", tenants.get(i).id().toString()), new JsonObject(RECEIVER.requests(paths.get(i)).get(0).body()),
                    "its own tenant's message");
        }
    }

    @Test
    void aSlowEndpointDoesNotHoldUpAFastOne() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slow = path();
        String fast = path();
        RECEIVER.script(slow, new TestReceiver.Answer(200, Map.of(), 8000));
        register(tenant, url(slow), "booking.created");
        register(tenant, url(fast), "booking.created");
        long started = System.nanoTime();
        for (int i = 0; i < 12; i++) {
            publish(tenant, "booking.created", sample("booking.created"));
        }
        await(() -> RECEIVER.requests(fast).size() == 12, "all twelve reach the fast endpoint");
        long fastDone = System.nanoTime() - started;
        assertTrue(fastDone < 7_000_000_000L, "while the slow one takes 8 s per delivery: " + fastDone / 1_000_000 + " ms");
        assertTrue(RECEIVER.requests(slow).size() <= 4, "the slow endpoint has at most its own 4 in flight");
    }
}
