package io.palisade.webhook.deliveries;

import static io.palisade.webhook.WebhookApi.as;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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

    /**
     * The Standard Webhooks check, written from the specification and nothing of Palisade's: the secret's key is the
     * base64 after "whsec_"; the signed content is "id.timestamp.body"; any "v1," signature in the space-separated
     * header may match; the timestamp must be within five minutes.
     */
    static boolean verifies(String secret, TestReceiver.Request request) throws Exception {
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        String signatures = request.header("webhook-signature");
        if (id == null || timestamp == null || signatures == null || Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        byte[] expected = mac.doFinal((id + "." + timestamp + "." + request.body()).getBytes(StandardCharsets.UTF_8));
        for (String signature : signatures.split(" ")) {
            String[] parts = signature.split(",", 2);
            if (parts.length == 2 && parts[0].equals("v1") && MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
                return true;
            }
        }
        return false;
    }
}
