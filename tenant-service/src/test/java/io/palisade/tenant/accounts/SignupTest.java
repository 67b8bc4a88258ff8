package io.palisade.tenant.accounts;

import static io.palisade.tenant.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.MailDrop;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Signup continues by mail: its answer never tells whether an email has an account (docs/accounts.md). */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SignupTest {

    private static Response request(String slug, String email) {
        return json().body(Map.of("tenantName", "Tenant " + slug, "tenantSlug", slug, "email", email, "displayName", "Owner",
                "password", Api.PASSWORD)).post("/signup");
    }

    private static String slug() {
        return "s-" + UUID.randomUUID().toString().substring(0, 12);
    }

    @Test
    void theAnswerIsTheSameWhetherOrNotTheEmailHasAnAccount() {
        TestTenant existing = Api.newTenant(null);
        String fresh = "fresh@" + slug() + ".example";
        String takenSlug = slug();
        Response known = request(takenSlug, existing.ownerEmail());
        Response unknown = request(slug(), fresh);
        assertEquals(202, known.statusCode());
        assertEquals(202, unknown.statusCode());
        assertEquals(unknown.contentType(), known.contentType());
        assertEquals(unknown.body().asString().replace(fresh, "EMAIL"), known.body().asString().replace(existing.ownerEmail(), "EMAIL"));
        assertEquals(unknown.headers().asList().stream().map(h -> h.getName()).sorted().toList(),
                known.headers().asList().stream().map(h -> h.getName()).sorted().toList());

        // Only the mailbox learns it: the account's holder is told, with no link, and nothing was created.
        var told = MailDrop.to(existing.ownerEmail()).getLast();
        assertEquals("Your Palisade account", told.getString("subject"));
        assertFalse(told.getString("text").contains("#token="));
        request(takenSlug, "other@" + takenSlug + ".example").then().statusCode(202);
        Api.loginResponse(existing.ownerEmail(), takenSlug).then().statusCode(422);
    }

    @Test
    void theMailedLinkCreatesTheAccountAndTheTenantOnce() {
        String slug = slug();
        String email = "owner@" + slug + ".example";
        request(slug, email).then().statusCode(202);
        Api.loginResponse(email, slug).then().statusCode(401);
        String token = MailDrop.latestLinkToken(email);
        json().body(Map.of("token", token)).post("/signup/complete").then().statusCode(201)
                .body("tenantSlug", org.hamcrest.Matchers.equalTo(slug));
        Api.loginResponse(email, slug).then().statusCode(200);
        json().body(Map.of("token", token)).post("/signup/complete").then().statusCode(404).contentType("application/problem+json");
        json().body(Map.of("token", "made-up")).post("/signup/complete").then().statusCode(404);
        // The slug is taken now: refused at once.
        request(slug, "someone-else@" + slug + ".example").then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void twoSignupsForOneSlugCreateOneTenantAndTheLoserNothing() {
        String slug = slug();
        String first = "first@" + slug + ".example";
        String second = "second@" + slug + ".example";
        request(slug, first).then().statusCode(202);
        request(slug, second).then().statusCode(202);
        String secondToken = MailDrop.latestLinkToken(second);
        json().body(Map.of("token", MailDrop.latestLinkToken(first))).post("/signup/complete").then().statusCode(201);
        json().body(Map.of("token", secondToken)).post("/signup/complete").then().statusCode(409).contentType("application/problem+json");
        json().body(Map.of("email", second, "password", Api.PASSWORD)).post("/auth/login").then().statusCode(401);
    }

    @Test
    void anExpiredLinkCreatesNothing() throws SQLException {
        String slug = slug();
        String email = "late@" + slug + ".example";
        request(slug, email).then().statusCode(202);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("update tenancy.pending_signups set expires_at = now() - interval '1 second' where email = ?")) {
            st.setString(1, email);
            assertEquals(1, st.executeUpdate());
        }
        json().body(Map.of("token", MailDrop.latestLinkToken(email))).post("/signup/complete").then().statusCode(404);
        Api.loginResponse(email, slug).then().statusCode(401);
    }

    @Test
    void oneEmailIsSentAFewSignupMailsAtMost() {
        String email = "flooded@" + slug() + ".example";
        for (int i = 0; i < 5; i++) {
            request(slug(), email).then().statusCode(202);
        }
        assertEquals(3, MailDrop.to(email).size());
        assertTrue(MailDrop.to(email).stream().allMatch(m -> m.getString("subject").equals("Finish signing up to Palisade")));
    }
}
