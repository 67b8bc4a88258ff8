package io.palisade.payment;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Only a valid payment token opens the checkout: not a waiver or manage token, not an expired or altered one. */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class GuestPaymentTokensTest {

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    @Test
    void otherDomainsExpiredAndAlteredTokensAreRefused() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String valid = PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 1200);
        String reference = new JsonObject(new String(Base64.getUrlDecoder().decode(valid.substring(0, valid.indexOf('.'))),
                StandardCharsets.UTF_8)).getString("b");

        // booking-service's waiver and manage tokens: signed with a key payment-service does not hold.
        byte[] bookingKey = new byte[32];
        new java.security.SecureRandom().nextBytes(bookingKey);
        GuestTokens bookingService = new GuestTokens(Optional.empty(), Optional.of(Base64.getEncoder().encodeToString(bookingKey)),
                Duration.ofHours(2));
        for (GuestTokens.Domain domain : new GuestTokens.Domain[] { GuestTokens.Domain.WAIVER, GuestTokens.Domain.MANAGE }) {
            given().header("X-Guest-Token", bookingService.issue(domain, tenant.id(), reference)).post("/guest/payment").then().statusCode(401);
        }
        given().header("X-Guest-Token", tokens.issue(GuestTokens.Domain.PAYMENT, tenant.id(), reference, Instant.now().minusSeconds(1)))
                .post("/guest/payment").then().statusCode(401);
        String[] parts = valid.split("\\.");
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        claims.put("exp", claims.getLong("exp") + 86_400);
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[1];
        given().header("X-Guest-Token", altered).post("/guest/payment").then().statusCode(401);
        given().post("/guest/payment").then().statusCode(401);
        given().header("X-Guest-Token", valid).post("/guest/payment").then().statusCode(200);
    }
}
