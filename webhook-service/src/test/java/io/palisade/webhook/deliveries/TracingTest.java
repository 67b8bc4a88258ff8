package io.palisade.webhook.deliveries;

import static io.palisade.webhook.deliveries.Deliveries.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import static io.palisade.webhook.ContractSamples.sample;
import io.palisade.webhook.ContractSamples;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.LoopbackReceivers;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.TestReceiver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The last hop of one trace: an event that arrives with a traceparent (booking-service's relay sends the one of the
 * request that changed the booking, see booking-service's TracingTest) is consumed and delivered in spans of that
 * same trace, the delivery's span a descendant of the consumer's.
 */
@QuarkusTest
@TestProfile(TracingTest.Traced.class)
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class TracingTest {

    public static class Traced extends LoopbackReceivers {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("quarkus.otel.sdk.disabled", "false");
            config.put("quarkus.otel.exporter.otlp.enabled", "false");
            config.put("quarkus.otel.bsp.schedule.delay", "PT0.1S");
            return config;
        }
    }

    static final TestReceiver RECEIVER = WebhookServiceStack.RECEIVER;

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void dns() {
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
    }

    @Test
    void theDeliveryIsASpanOfTheTraceTheEventCarried() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String path = "/" + UUID.randomUUID();
        register(tenant, "http://receiver.example.test:" + RECEIVER.port() + path, "booking.confirmed");
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
        Deliveries.publishTraced(tenant, "booking.confirmed", sample("booking.confirmed"), UUID.randomUUID().toString(), traceparent);

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (spansOf(traceId, "webhook delivery").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "a delivery span of trace " + traceId + " within 30 s; spans: " + spans.getFinishedSpanItems());
            Thread.sleep(200);
        }
        assertEquals(1, RECEIVER.requests(path).size(), "delivered once");
        SpanData consumed = spansOf(traceId, "consume booking.confirmed").get(0);
        assertEquals("00f067aa0ba902b7", consumed.getParentSpanId(), "the consumer continues the producer's span");
        SpanData delivery = spansOf(traceId, "webhook delivery").get(0);
        assertEquals(consumed.getSpanId(), delivery.getParentSpanId(), "the delivery continues the consumer's span");
        assertEquals("booking.confirmed", delivery.getAttributes().asMap().entrySet().stream()
                .filter(a -> a.getKey().getKey().equals("palisade.webhook.event_type")).findFirst().orElseThrow().getValue());
    }

    private List<SpanData> spansOf(String traceId, String name) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId) && s.getName().equals(name)).toList();
    }
}
