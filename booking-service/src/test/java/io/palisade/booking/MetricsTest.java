package io.palisade.booking;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.Metrics;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** booking-service's metrics (docs/operations.md) are on /q/metrics and move when what they count happens. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class MetricsTest {

    private static double counter(String name, String... labels) {
        return Metrics.counter(given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString(), name, labels);
    }

    @Test
    void holdsAreCountedByOutcome() {
        double created = counter("palisade_holds_total", "outcome", "created");
        double full = counter("palisade_holds_total", "outcome", "refused_full");
        double other = counter("palisade_holds_total", "outcome", "refused_other");
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 4500, 2);
        hold(tenant, slot, 2).then().statusCode(201);
        hold(tenant, slot, 1).then().statusCode(409);
        hold(tenant, UUID.randomUUID().toString(), 1).then().statusCode(404);
        assertEquals(created + 1, counter("palisade_holds_total", "outcome", "created"));
        assertEquals(full + 1, counter("palisade_holds_total", "outcome", "refused_full"));
        assertEquals(other + 1, counter("palisade_holds_total", "outcome", "refused_other"));
    }

    @Test
    void consumedEventsAreCountedAndTheLagAndOutboxShown() throws Exception {
        String[] handled = {"group", "booking-service", "outcome", "handled"};
        String[] skipped = {"group", "booking-service", "outcome", "skipped"};
        double handledBefore = counter("palisade_events_total", handled);
        double skippedBefore = counter("palisade_events_total", skipped);
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 4500, 2);
        String booking = hold(tenant, slot, 1).then().statusCode(201).extract().path("bookingId");
        Map<String, Object> payment = PaymentEventsTest.paymentData("payment.failed", java.util.UUID.fromString(booking), 4500).getMap();
        TestEvents.publish("palisade.payment.events", "/payment-service", tenant.id(), "payment.failed", booking, payment, UUID.randomUUID().toString());
        // Not payment-service's: a consumer refuses what the topic's only writer did not send.
        TestEvents.publish("palisade.payment.events", "/booking-service", tenant.id(), "payment.succeeded", booking, payment,
                UUID.randomUUID().toString());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (counter("palisade_events_total", handled) < handledBefore + 1 || counter("palisade_events_total", skipped) < skippedBefore + 1) {
            assertTrue(System.nanoTime() < deadline, "both events consumed within 30 s");
            Thread.sleep(250);
        }
        String metrics = given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString();
        assertTrue(Metrics.value(metrics, "palisade_events_lag", "group", "booking-service") >= 0, "the consumer's lag is shown");
        assertTrue(Metrics.value(metrics, "palisade_outbox_pending") >= 0, "the outbox backlog is shown");
        assertTrue(Metrics.value(metrics, "palisade_outbox_oldest_age_seconds") >= 0);
    }

    private static io.restassured.response.Response hold(TestTenancy.Tenant tenant, String slot, int seats) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", "198.18." + (int) (Math.random() * 250) + ".7")
                .body(Api.holdBody(slot, seats)).post("/public/" + tenant.slug() + "/holds");
    }
}
