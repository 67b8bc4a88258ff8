package io.palisade.webhook.deliveries;

import static io.palisade.webhook.WebhookApi.as;
import static io.palisade.webhook.deliveries.Deliveries.latest;
import static io.palisade.webhook.deliveries.Deliveries.await;
import static io.palisade.webhook.deliveries.Deliveries.publish;
import static io.palisade.webhook.deliveries.Deliveries.register;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static io.palisade.webhook.ContractSamples.sample;
import io.palisade.webhook.ContractSamples;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * DNS rebinding, with the default configuration (loopback refused): the host answers a public address at
 * registration and 127.0.0.1 at delivery; the delivery is refused before any connection, recorded as blocked,
 * logged and audited, and the receiver listening on loopback gets nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class RebindingTest {

    @Test
    void aHostThatRebindsToLoopbackAfterRegistrationIsNeverReached() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String path = "/" + UUID.randomUUID();
        ScriptedResolver.answer("rebind.example.test", List.of("93.184.216.34"), List.of("127.0.0.1"));
        Deliveries.Endpoint endpoint = register(tenant, "http://rebind.example.test:" + WebhookServiceStack.RECEIVER.port() + path, "booking.confirmed");
        publish(tenant, "booking.confirmed", sample("booking.confirmed"));

        await(() -> "failed".equals(latest(tenant, endpoint, "status")), "the delivery ends");
        String delivery = as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries").then()
                .body("items[0].lastError", containsString("127.0.0.1 is loopback")).extract().path("items[0].id");
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + delivery + "/attempts").then()
                .body("outcome", equalTo(List.of("blocked")));
        assertEquals(0, WebhookServiceStack.RECEIVER.requests(path).size(), "nothing reached the loopback receiver");
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "select count(*) from webhook.outbox where stream = 'audit' and tenant_id = ? and type = 'webhook.delivery_blocked'")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the block is an audit event");
            }
        }
    }

    @Test
    void aHostThatStopsResolvingIsTriedAgainNotBlocked() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        ScriptedResolver.answer("flaky-dns.example.test", List.of("93.184.216.34"), List.of());
        Deliveries.Endpoint endpoint = register(tenant, "https://flaky-dns.example.test/in", "booking.confirmed");
        publish(tenant, "booking.confirmed", sample("booking.confirmed"));
        await(() -> "failed".equals(latest(tenant, endpoint, "status")), "the delivery ends after the schedule");
        String delivery = latest(tenant, endpoint, "id");
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + endpoint.id() + "/deliveries/" + delivery + "/attempts").then()
                .body("outcome", equalTo(List.of("retrying", "retrying", "retrying", "failed"))).body("[0].error", containsString("does not resolve"));
    }

    @Test
    void theDefaultConfigurationRefusesALoopbackReceiverOutright() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        ScriptedResolver.answer("receiver.example.test", List.of("127.0.0.1"));
        as(tenant.ownerToken()).body(Map.of("url", "http://receiver.example.test:" + WebhookServiceStack.RECEIVER.port() + "/x",
                "eventTypes", List.of("booking.created"))).post("/webhooks/endpoints").then().statusCode(422)
                .body("detail", containsString("loopback"));
    }
}
