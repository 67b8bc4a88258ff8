package io.palisade.webhook.deliveries;

import static io.palisade.webhook.WebhookApi.as;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;


import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.TestReceiver;

/** What the delivery tests share: registering endpoints, publishing domain events, waiting, verifying signatures. */
final class Deliveries {

    record Endpoint(String id, String secret) {
    }

    private Deliveries() {
    }

    /** A field of the endpoint's newest delivery, as its tenant reads the delivery log. */
    static <T> T latest(TestTenancy.Tenant tenant, Endpoint endpoint, String field) {
        return as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries").then().extract().path("items[0]." + field);
    }

    static Endpoint register(TestTenancy.Tenant tenant, String url, String... eventTypes) {
        io.restassured.response.Response created = as(tenant.ownerToken()).body(Map.of("url", url, "eventTypes", List.of(eventTypes)))
                .post("/webhooks/endpoints");
        created.then().statusCode(201);
        return new Endpoint(created.path("endpoint.id"), created.path("secret"));
    }

    /** A domain event as booking-service (or payment-service, for payment events) publishes it; returns its id. */
    static String publish(TestTenancy.Tenant tenant, String type, Map<String, Object> data) {
        return publish(tenant, type, data, UUID.randomUUID().toString());
    }

    static String publish(TestTenancy.Tenant tenant, String type, Map<String, Object> data, String eventId) {
        return publishTraced(tenant, type, data, eventId, null);
    }

    /** The same, as part of the trace {@code traceparent} names. */
    static String publishTraced(TestTenancy.Tenant tenant, String type, Map<String, Object> data, String eventId, String traceparent) {
        String topic = type.startsWith("payment.") ? "palisade.payment.events" : "palisade.booking.events";
        return TestEvents.publish(topic, io.palisade.common.events.Topics.OWNERS.get(topic), tenant.id(), type, "b-1", data, eventId, traceparent);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && !condition.getAsBoolean()) {
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    /** Whether the delivery verifies with the secret, as the Standard Webhooks reference library checks it. */
    static boolean verifies(String secret, TestReceiver.Request request) throws Exception {
        Map<String, List<String>> headers = new HashMap<>();
        request.headers().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        try {
            new Webhook(secret).verify(request.body(), headers);
            return true;
        } catch (WebhookVerificationException refused) {
            return false;
        }
    }
}
