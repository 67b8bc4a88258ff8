package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.randomClientAddress;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.DoubleSupplier;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.Metrics;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** tenant-service's metrics (docs/operations.md) are on /q/metrics and move when what they count happens. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class MetricsTest {

    static double metric(String name, String... labels) {
        return Metrics.value(given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString(), name, labels);
    }

    static double counter(String name, String... labels) {
        return Metrics.counter(given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString(), name, labels);
    }

    static void await(DoubleSupplier value, java.util.function.DoublePredicate condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.test(value.getAsDouble())) {
            assertTrue(System.nanoTime() < deadline, what + " within 30 s (now " + value.getAsDouble() + ")");
            Thread.sleep(250);
        }
    }

    @Test
    void metricsAndHealthAreServedOnTheManagementPortOnly() {
        for (String path : new String[] { "/q/metrics", "/q/health/ready", "/q/health/live" }) {
            given().get(path).then().statusCode(404);
            given().port(Metrics.TEST_MANAGEMENT_PORT).get(path).then().statusCode(200);
        }
    }

    @Test
    void failedLoginsLockoutsAndVerificationsAreCounted() {
        double failed = counter("palisade_logins_failed_total");
        double lockouts = counter("palisade_logins_lockouts_total", "kind", "email");
        double verifications = counter("palisade_passwords_verifications_total");
        String email = Api.newTenant(null).ownerEmail();
        String address = randomClientAddress();
        for (int i = 0; i < 6; i++) {
            Api.jsonFrom(address).body(Map.of("email", email, "password", "Wrong-Passw0rd-" + i)).post("/auth/login").then().statusCode(401);
        }
        assertEquals(failed + 6, metric("palisade_logins_failed_total"), "five wrong passwords and one refused while locked");
        assertEquals(lockouts + 1, metric("palisade_logins_lockouts_total", "kind", "email"));
        assertTrue(metric("palisade_passwords_verifications_total") >= verifications + 6, "one bcrypt verification per attempt");
    }

    @Test
    void theOutboxBacklogShowsWhileTheBrokerIsDown() throws Exception {
        Api.TestTenant tenant = Api.newTenant("BOOKINGS_READ");
        await(() -> metric("palisade_outbox_pending"), pending -> pending == 0, "the outbox empties");
        PalisadeTestStack stack = PalisadeTestStack.get();
        stack.kafka().stop();
        try {
            bearer(tenant.ownerToken()).body(Map.of("name", "Waiting for the broker")).patch("/tenant").then().statusCode(200);
            await(() -> metric("palisade_outbox_pending"), pending -> pending >= 2, "the rename and its audit event wait");
            await(() -> metric("palisade_outbox_oldest_age_seconds"), age -> age >= 1, "and age");
        } finally {
            stack.kafka().start();
        }
        await(() -> metric("palisade_outbox_pending"), pending -> pending == 0, "the backlog is relayed once the broker is back");
        assertEquals(0, metric("palisade_outbox_oldest_age_seconds"));
    }
}
