package io.palisade.tenant.accounts;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.MailDrop;
import io.palisade.tenant.TenantServiceStack;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An inviter holds the accept token, so an account an invitation created proves nothing about its email: it signs in
 * where it was invited, and joins no other tenant until the link mailed to it is opened.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class InvitedAccountsTest {

    private static String invite(TestTenant tenant, String email) {
        return bearer(tenant.ownerToken()).body(Map.of("email", email, "role", "staff")).post("/invitations")
                .then().statusCode(201).extract().path("acceptToken");
    }

    @Test
    void anAccountAnInvitationCreatedJoinsNoOtherTenantBeforeItsEmailIsProven() {
        TestTenant inviter = Api.newTenant(null);
        TestTenant other = Api.newTenant(null);
        String email = "someone-else@" + inviter.slug() + ".example";
        // The inviter accepts its own invitation, choosing the password: an account for an email it does not hold.
        json().body(Map.of("token", invite(inviter, email), "displayName", "Made by the inviter", "password", Api.PASSWORD))
                .post("/invitations/accept").then().statusCode(200);
        Api.loginResponse(email, inviter.slug()).then().statusCode(200);

        String joinOther = invite(other, email);
        json().body(Map.of("token", joinOther, "password", Api.PASSWORD)).post("/invitations/accept")
                .then().statusCode(403).contentType("application/problem+json");
        Api.loginResponse(email, other.slug()).then().statusCode(422);

        // The mailbox's holder opens the link: the account joins.
        assertEquals("Confirm your email for Palisade", MailDrop.to(email).getLast().getString("subject"));
        String proof = MailDrop.latestLinkToken(email);
        json().body(Map.of("token", proof)).post("/auth/confirm-email").then().statusCode(204);
        json().body(Map.of("token", proof)).post("/auth/confirm-email").then().statusCode(404).contentType("application/problem+json");
        json().body(Map.of("token", joinOther, "password", Api.PASSWORD)).post("/invitations/accept").then().statusCode(200);
        Api.loginResponse(email, other.slug()).then().statusCode(200);
    }

    @Test
    void anAccountThatSignedUpJoinsAtOnce() {
        TestTenant signedUp = Api.newTenant(null);
        TestTenant other = Api.newTenant(null);
        json().body(Map.of("token", invite(other, signedUp.ownerEmail()), "password", Api.PASSWORD)).post("/invitations/accept")
                .then().statusCode(200);
        // Announced as the member it now is, in the tenant it joined, once.
        assertEquals(1L, PalisadeTestStack.get().count("select count(*) from tenancy.outbox where tenant_id = ? and type = 'member.joined'"
                + " and subject = ? and data->>'role' = 'staff'", other.id(), signedUp.ownerId().toString()));
    }
}
