package io.palisade.tenant.members;

import static io.palisade.tenant.Api.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Every change to a tenant and its members is an audit event with who, what, and before/after, never a secret. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class MemberAuditTest {

    @Test
    void tenantAndMemberChangesAreAudited() throws Exception {
        Api.TestTenant t = Api.newTenant(null);
        String owner = t.ownerToken();
        bearer(owner).body(Map.of("name", "Renamed Tours")).patch("/tenant").then().statusCode(200);
        bearer(owner).body(Map.of("role", "admin")).patch("/members/" + t.staffId()).then().statusCode(200);
        io.restassured.response.Response invited = bearer(owner).body(Map.of("email", "new-" + t.slug() + "@example.org", "role", "staff"))
                .post("/invitations");
        invited.then().statusCode(201);
        String invitation = invited.path("id");
        String acceptToken = invited.path("acceptToken");
        bearer(owner).delete("/invitations/" + invitation).then().statusCode(204);
        bearer(owner).delete("/members/" + t.staffId()).then().statusCode(204);

        List<JsonObject> events = auditEvents(t);
        List<String> actions = events.stream().map(e -> e.getString("action")).toList();
        assertEquals(List.of("tenant.created", "invitation.created", "tenant.renamed", "member.role_changed", "invitation.created",
                "invitation.revoked", "member.removed"), actions.stream().filter(a -> !a.startsWith("auth.") && !a.startsWith("guest.")).toList());
        JsonObject roleChange = events.get(actions.indexOf("member.role_changed"));
        assertEquals("staff", roleChange.getJsonObject("before").getString("role"));
        assertEquals("admin", roleChange.getJsonObject("after").getString("role"));
        assertEquals(t.ownerId().toString(), roleChange.getJsonObject("actor").getString("userId"));
        assertEquals(t.staffId().toString(), roleChange.getJsonObject("target").getString("id"));
        assertEquals("Renamed Tours", events.get(actions.indexOf("tenant.renamed")).getJsonObject("after").getString("name"));
        for (JsonObject event : events) {
            String text = event.encode();
            assertFalse(text.contains("@example.org") || text.contains("@" + t.slug()), "no email in " + text);
            assertFalse(text.contains(acceptToken), "no invitation token in " + text);
        }
    }

    @Test
    void refusalsOfSignedInCallersAreAuditedToo() throws Exception {
        Api.TestTenant t = Api.newTenant(null);
        bearer(t.staffToken()).body(Map.of("status", "suspended")).patch("/members/" + t.ownerId()).then().statusCode(403);
        bearer(t.staffToken()).body(Map.of("email", "boss-" + t.slug() + "@example.org", "role", "admin")).post("/invitations").then().statusCode(403);
        List<JsonObject> refusals = auditEvents(t).stream().filter(e -> "auth.forbidden".equals(e.getString("action"))).toList();
        assertEquals(2, refusals.size(), "each refusal is an audit event");
        assertEquals(t.staffId().toString(), refusals.get(0).getJsonObject("actor").getString("userId"));
        assertEquals("PATCH /members/" + t.ownerId(), refusals.get(0).getJsonObject("target").getString("id"));
        assertEquals("failure", refusals.get(0).getString("outcome"));
    }

    private static List<JsonObject> auditEvents(Api.TestTenant t) throws Exception {
        List<JsonObject> events = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select data::text from tenancy.outbox where stream = 'audit' and tenant_id = ? order by seq")) {
            st.setObject(1, t.id());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    events.add(new JsonObject(rs.getString(1)));
                }
            }
        }
        return events;
    }
}
