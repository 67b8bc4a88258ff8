package io.palisade.webhook.endpoints;

import static io.palisade.webhook.WebhookApi.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.ScriptedResolver;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Owners and admins register, change, disable and delete endpoints and rotate secrets; every URL passes the SSRF
 * guard first (a refusal is a 422 with the reason and stores nothing); the secret is shown once and stored sealed.
 */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class EndpointsTest {

    static final String HOOK = "https://hooks.example.test/palisade/7f3a?token=receiver-secret";


    @BeforeEach
    void dns() {
        ScriptedResolver.answer("hooks.example.test", List.of("93.184.216.34"));
        ScriptedResolver.answer("other.example.test", List.of("93.184.216.35"));
        ScriptedResolver.answer("internal.example.test", List.of("10.1.2.3"));
    }

    private static List<String> stored(String sql, Object parameter) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, parameter);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    @Test
    void registeredWithTheSecretShownOnceAndStoredSealed() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        io.restassured.response.Response created = as(tenant.ownerToken()).body(Map.of("url", HOOK, "description", "CRM sync",
                "eventTypes", List.of("booking.confirmed", "payment.refunded", "booking.confirmed"))).post("/webhooks/endpoints");
        created.then().statusCode(201).header("Location", containsString("/webhooks/endpoints/"))
                .body("secret", startsWith("whsec_")).body("endpoint.url", equalTo(HOOK)).body("endpoint.enabled", equalTo(true))
                .body("endpoint.eventTypes", equalTo(List.of("booking.confirmed", "payment.refunded")));
        String id = created.path("endpoint.id");
        String secret = created.path("secret");
        assertEquals(32, java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())).length);

        as(tenant.ownerToken()).get("/webhooks/endpoints/" + id).then().statusCode(200).body("$", not(org.hamcrest.Matchers.hasKey("secret")))
                .body("description", equalTo("CRM sync"));
        as(tenant.ownerToken()).get("/webhooks/endpoints").then().statusCode(200).body("items.id", hasItem(id));
        String sealed = stored("select secret_sealed from webhook.endpoints where id = ?::uuid", id).get(0);
        assertFalse(sealed.contains(secret.substring(6)), "the secret is stored sealed");

        List<String> audit = stored("select data::text from webhook.outbox where stream = 'audit' and tenant_id = ?", tenant.id());
        assertEquals(1, audit.size());
        assertFalse(audit.get(0).contains("receiver-secret") || audit.get(0).contains("/palisade/7f3a") || audit.get(0).contains(secret),
                "the audit entry has the URL's origin only: " + audit.get(0));
        assertEquals(true, audit.get(0).contains("https://hooks.example.test"));
    }

    @Test
    void aRefusedUrlIsA422SayingWhyAndStoresNothing() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        for (String[] refused : new String[][] { { "http://127.0.0.1:8080/hook", "https" }, { "https://0x7f.1/", "loopback" },
                { "https://169.254.169.254/latest/meta-data/", "link-local" }, { "https://internal.example.test/", "private" },
                { "https://user:pw@hooks.example.test/", "credentials" }, { "https://nowhere.example.test/", "does not resolve" } }) {
            as(tenant.ownerToken()).body(Map.of("url", refused[0], "eventTypes", List.of("booking.created"))).post("/webhooks/endpoints").then()
                    .statusCode(422).contentType(containsString("problem+json")).body("detail", containsString(refused[1]));
        }
        as(tenant.ownerToken()).body(Map.of("url", HOOK, "eventTypes", List.of("booking.teleported"))).post("/webhooks/endpoints").then()
                .statusCode(422).body("detail", containsString("unknown event types"));
        as(tenant.ownerToken()).body(Map.of("url", HOOK, "eventTypes", List.of())).post("/webhooks/endpoints").then().statusCode(400);
        assertEquals(List.of("0"), stored("select count(*) from webhook.endpoints where tenant_id = ?", tenant.id()));
    }

    @Test
    void changedDisabledEnabledAndDeleted() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String id = as(tenant.ownerToken()).body(Map.of("url", HOOK, "eventTypes", List.of("booking.created"))).post("/webhooks/endpoints")
                .then().statusCode(201).extract().path("endpoint.id");
        as(tenant.ownerToken()).body(Map.of("url", "https://internal.example.test/x")).patch("/webhooks/endpoints/" + id).then().statusCode(422);
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + id).then().body("url", equalTo(HOOK));
        as(tenant.ownerToken()).body(Map.of("url", "https://other.example.test/in", "eventTypes", List.of("booking.cancelled", "audit.alert")))
                .patch("/webhooks/endpoints/" + id).then().statusCode(200).body("url", equalTo("https://other.example.test/in"))
                .body("eventTypes", equalTo(List.of("audit.alert", "booking.cancelled")));
        as(tenant.ownerToken()).body(Map.of("enabled", false)).patch("/webhooks/endpoints/" + id).then().statusCode(200)
                .body("enabled", equalTo(false)).body("disabledReason", equalTo("disabled by the tenant"));
        as(tenant.ownerToken()).body(Map.of("enabled", true)).patch("/webhooks/endpoints/" + id).then().statusCode(200)
                .body("enabled", equalTo(true)).body("disabledReason", nullValue());
        as(tenant.ownerToken()).delete("/webhooks/endpoints/" + id).then().statusCode(204);
        as(tenant.ownerToken()).get("/webhooks/endpoints/" + id).then().statusCode(404);
        as(tenant.ownerToken()).delete("/webhooks/endpoints/" + id).then().statusCode(404);
    }

    @Test
    void aRotatedSecretIsNewAndTheOldOneOverlaps() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        io.restassured.response.Response created = as(tenant.ownerToken()).body(Map.of("url", HOOK, "eventTypes", List.of("booking.created")))
                .post("/webhooks/endpoints");
        String id = created.path("endpoint.id");
        String rotated = as(tenant.ownerToken()).post("/webhooks/endpoints/" + id + "/secret/rotate").then().statusCode(200)
                .body("endpoint.previousSecretValidUntil", notNullValue()).extract().path("secret");
        assertNotEquals(created.path("secret"), rotated);
        as(tenant.ownerToken()).post("/webhooks/endpoints/" + java.util.UUID.randomUUID() + "/secret/rotate").then().statusCode(404);
    }

    @Test
    void onlyWebhookManagersAndAtMostTheConfiguredNumber() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        as(tenant.staffToken()).get("/webhooks/endpoints").then().statusCode(403);
        as(tenant.staffToken()).body(Map.of("url", HOOK, "eventTypes", List.of("booking.created"))).post("/webhooks/endpoints").then().statusCode(403);
        for (int i = 0; i < 20; i++) {
            as(tenant.ownerToken()).body(Map.of("url", HOOK, "eventTypes", List.of("booking.created"))).post("/webhooks/endpoints").then().statusCode(201);
        }
        as(tenant.ownerToken()).body(Map.of("url", HOOK, "eventTypes", List.of("booking.created"))).post("/webhooks/endpoints").then()
                .statusCode(422).body("detail", containsString("at most 20"));
    }
}
