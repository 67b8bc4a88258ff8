package io.palisade.booking.waivers;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.json;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.booking.Api;
import io.palisade.booking.BookingServiceStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Versioned waivers: the guest signs the current version with the waiver token only; the signed version is kept. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class WaiversTest {

    @Test
    void aGuestSignsTheCurrentVersionOnceWithTheWaiverTokenOnly() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        bearer(tenant.ownerToken()).body(Map.of("text", "I paddle at my own risk. v1")).put("/waiver").then().statusCode(200)
                .body("version", equalTo(1));
        Response hold = json().body(Api.holdBody(Api.publishedSlot(tenant.ownerToken(), 1000, 5), 1)).post("/public/" + tenant.slug() + "/holds");
        String waiver = hold.path("waiverToken");
        // Other purposes' tokens do not open the waiver.
        json().header("X-Guest-Token", hold.path("paymentToken").toString()).get("/guest/waiver").then().statusCode(401);
        json().header("X-Guest-Token", hold.path("manageToken").toString()).body(Map.of("version", 1, "signerName", "Ann"))
                .post("/guest/waiver/sign").then().statusCode(401);
        json().header("X-Guest-Token", waiver).get("/guest/waiver").then().statusCode(200).body("version", equalTo(1))
                .body("signedVersion", nullValue());

        // A newer version was published meanwhile: signing the old one is refused.
        bearer(tenant.ownerToken()).body(Map.of("text", "I paddle at my own risk and wear a vest. v2")).put("/waiver").then()
                .body("version", equalTo(2));
        json().header("X-Guest-Token", waiver).body(Map.of("version", 1, "signerName", "Ann Guest")).post("/guest/waiver/sign")
                .then().statusCode(409);
        json().header("X-Guest-Token", waiver).body(Map.of("version", 2, "signerName", "Ann Guest")).post("/guest/waiver/sign")
                .then().statusCode(200).body("signedVersion", equalTo(2)).body("signerName", equalTo("Ann Guest"))
                .body("signedAt", notNullValue());
        json().header("X-Guest-Token", waiver).body(Map.of("version", 2, "signerName", "Someone else")).post("/guest/waiver/sign")
                .then().statusCode(409);

        // Version 3 later: the booking keeps version 2 as signed.
        bearer(tenant.ownerToken()).body(Map.of("text", "v3")).put("/waiver").then().body("version", equalTo(3));
        json().header("X-Guest-Token", waiver).get("/guest/waiver").then().body("version", equalTo(3)).body("signedVersion", equalTo(2));
    }

    @Test
    void onlyCatalogManagersPublishWaivers() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        bearer(tenant.staffToken()).body(Map.of("text", "x")).put("/waiver").then().statusCode(403);
        bearer(tenant.staffToken()).get("/waiver").then().statusCode(404);
    }
}
