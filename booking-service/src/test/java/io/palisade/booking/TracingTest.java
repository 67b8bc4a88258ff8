package io.palisade.booking;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The first hops of one trace: a guest's hold request (its traceparent as a browser or gateway would send it) writes
 * its booking.created outbox row in the request's trace, even though SQL writes that row, and the event goes to Kafka
 * with the CloudEvents distributed-tracing extension naming the same trace (webhook-service's TracingTest follows it
 * to the delivery).
 */
@QuarkusTest
@TestProfile(TracingTest.Traced.class)
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class TracingTest {

    public static class Traced implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.exporter.otlp.enabled", "false",
                    "quarkus.otel.bsp.schedule.delay", "PT0.1S");
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aHoldsEventCarriesTheRequestsTrace() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 4500, 4);
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String booking = given().contentType(ContentType.JSON).header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
                .header("X-Forwarded-For", "198.18.77.1").body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds")
                .then().statusCode(201).extract().path("bookingId");

        String stored;
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select traceparent from booking.outbox where type = 'booking.created' and subject = ?")) {
            st.setString(1, booking);
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next(), "the outbox row exists");
                stored = rs.getString(1);
            }
        }
        assertTrue(stored != null && stored.startsWith("00-" + traceId + "-"), "the outbox row keeps the request's trace: " + stored);

        Map<String, Object> created = TestEvents.await("palisade.booking.events", tenant.id().toString(), "booking.created");
        assertEquals(stored, created.get("traceparent"), "the event carries it, as the CloudEvents SDK reads it");
        assertTrue(spans.getFinishedSpanItems().stream().anyMatch(s -> s.getTraceId().equals(traceId) && s.getSpanId().equals(stored.substring(36, 52))),
                "the traceparent names a span of the request that was exported");
    }
}
