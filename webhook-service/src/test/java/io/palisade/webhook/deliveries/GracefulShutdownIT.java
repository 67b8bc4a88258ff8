package io.palisade.webhook.deliveries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Two instances of webhook-service (run from the build output) share the deliveries; one gets SIGTERM in the middle of
 * a burst of API requests and deliveries to a slow receiver. Its readiness goes DOWN first; every request sent to it
 * while a load balancer would still route there is answered (2xx, or 503 once it stops taking requests), never cut
 * off; every event reaches the endpoint exactly once (deliveries in flight finish and are recorded, the rest are taken
 * by the other instance).
 */
class GracefulShutdownIT {

    private static final int EVENTS = 120;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermLosesNothingAndSendsNothingTwice() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        TestTenancy.ensureSchema();
        int port = PalisadeTestStack.freePort();
        TestReceiver receiver = TestReceiver.http(port);
        receiver.script("/slow", new TestReceiver.Answer(200, Map.of(), 800));
        // As in production: on SIGTERM, readiness goes DOWN for a moment first, so the load balancer stops routing.
        Map<String, String> config = Map.of("palisade.webhooks.egress.allow-loopback", "true", "palisade.webhooks.egress.http-allowed-hosts",
                "127.0.0.1", "palisade.webhooks.egress.allowed-ports", String.valueOf(port), "quarkus.shutdown.delay", "3s");
        ServiceSpec webhookService = ServiceSpec.named("webhook-service");
        RunningService stopping = stack.startService(webhookService, config);
        try (RunningService staying = stack.startService(webhookService, config)) {
            TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
            register(staying, tenant, "http://127.0.0.1:" + port + "/slow");
            for (int i = 0; i < EVENTS; i++) {
                TestEvents.publish("palisade.booking.events", "/booking-service", tenant.id(), "booking.confirmed", "b-" + i,
                        ContractSamples.sample("booking.confirmed"), UUID.randomUUID().toString());
            }
            await(() -> receiver.requests("/slow").size() >= EVENTS / 4, "deliveries under way");

            // A client keeps calling the instance that is about to stop, as long as a load balancer would route to it: until
            // its readiness, checked every 200 ms, answers DOWN.
            List<String> outcomes = new CopyOnWriteArrayList<>();
            AtomicBoolean calling = new AtomicBoolean(true);
            AtomicBoolean routable = new AtomicBoolean(true);
            Thread balancer = Thread.ofVirtual().start(() -> {
                while (calling.get() && routable.get()) {
                    routable.set("200".equals(call(stopping.managementUrl(), "/q/health/ready", null)));
                    sleep(200);
                }
            });
            Thread client = Thread.ofVirtual().start(() -> {
                while (calling.get() && routable.get()) {
                    outcomes.add(call(stopping.baseUrl(), "/webhooks/endpoints", tenant.ownerToken()));
                }
            });
            Thread.sleep(500);
            int exit = stopping.process().terminate(Duration.ofSeconds(90));
            Thread.sleep(500);
            calling.set(false);
            client.join();
            balancer.join();

            await(() -> delivered(tenant) == EVENTS, "the other instance delivers the rest");
            Thread.sleep(2000);
            Map<String, Long> sent = receiver.requests("/slow").stream()
                    .collect(Collectors.groupingBy(r -> r.header("webhook-id"), ConcurrentHashMap::new, Collectors.counting()));
            assertEquals(EVENTS, sent.size(), "every event reached the endpoint");
            assertTrue(sent.values().stream().allMatch(n -> n == 1), "none twice: " + sent.values().stream().filter(n -> n > 1).count() + " duplicated");
            Map<String, Long> byOutcome = outcomes.stream().collect(Collectors.groupingBy(o -> o, Collectors.counting()));
            assertTrue(byOutcome.getOrDefault("200", 0L) > 0, "requests were served before the stop: " + byOutcome);
            assertTrue(byOutcome.keySet().stream().allMatch(o -> o.equals("200") || o.equals("503")),
                    "every request answered, none cut off or refused while routable: " + byOutcome);
            assertTrue(exit == 0 || exit == 143, "stopped on SIGTERM, exit " + exit);
        }
    }

    /** One request on a connection of its own (a pooled one the server closed while idle would say nothing about it). */
    private static String call(String baseUrl, String path, String bearer) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET();
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            return String.valueOf(http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (ConnectException refused) {
            return "refused";
        } catch (IOException e) {
            return "cut off: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void register(RunningService service, TestTenancy.Tenant tenant, String url) throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/webhooks/endpoints"))
                .header("Authorization", "Bearer " + tenant.ownerToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", url).put("eventTypes", new JsonArray().add("booking.confirmed"))
                        .encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
    }

    private static long delivered(TestTenancy.Tenant tenant) {
        return PalisadeTestStack.get().count("select count(*) from webhook.deliveries where tenant_id = ? and status = 'succeeded'", tenant.id());
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && !condition.call()) {
            Thread.sleep(200);
        }
        assertTrue(condition.call(), what);
    }
}
