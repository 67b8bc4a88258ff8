package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Roles and permission bits decide functions (403); tenants decide objects (404). */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class PermissionsTest {

    @Test
    void staffWithoutTheBitGets403OnFunctionsButMayRead() {
        TestTenant t = Api.newTenant("BOOKINGS_READ");
        String staff = t.staffToken();
        bearer(staff).get("/members").then().statusCode(200);
        bearer(staff).body(Map.of("status", "suspended")).patch("/members/" + t.ownerId()).then().statusCode(403);
        bearer(staff).delete("/members/" + t.ownerId()).then().statusCode(403);
        bearer(staff).body(Map.of("email", "x@example.com", "role", "staff")).post("/invitations").then().statusCode(403);
        bearer(staff).body(Map.of("name", "Mine now")).patch("/tenant").then().statusCode(403);
    }

    @Test
    void grantedBitsTakeEffectAtTheNextToken() {
        TestTenant t = Api.newTenant("BOOKINGS_READ");
        bearer(t.staffToken()).get("/invitations").then().statusCode(403);
        bearer(t.ownerToken()).body(Map.of("permissions", List.of("BOOKINGS_READ", "MEMBERS_MANAGE")))
                .patch("/members/" + t.staffId()).then().statusCode(200)
                .body("permissions", hasItems("BOOKINGS_READ", "MEMBERS_MANAGE"));
        bearer(t.staffToken()).get("/invitations").then().statusCode(200);
    }

    @Test
    void onlyOwnersManageOwnersAndTheLastOwnerStays() {
        TestTenant t = Api.newTenant("MEMBERS_MANAGE");
        bearer(t.staffToken()).body(Map.of("role", "staff")).patch("/members/" + t.ownerId()).then().statusCode(403);
        bearer(t.staffToken()).body(Map.of("email", "boss@example.com", "role", "admin")).post("/invitations").then().statusCode(403);
        bearer(t.ownerToken()).body(Map.of("role", "staff")).patch("/members/" + t.ownerId()).then().statusCode(422);
        bearer(t.ownerToken()).body(Map.of("role", "owner")).patch("/members/" + t.staffId()).then().statusCode(200)
                .body("role", equalTo("owner"));
        // Now two owners: the new one may demote the first, but not the last one standing.
        String newOwner = Api.login(t.staffEmail(), t.slug());
        bearer(newOwner).body(Map.of("role", "admin")).patch("/members/" + t.ownerId()).then().statusCode(200);
        bearer(Api.login(t.ownerEmail(), t.slug())).body(Map.of("role", "staff")).patch("/members/" + t.staffId())
                .then().statusCode(403);
    }

    @Test
    void staffManagingMembersCannotGrantWhatTheyDoNotHold() {
        TestTenant t = Api.newTenant("MEMBERS_MANAGE");
        String staff = t.staffToken();
        bearer(staff).body(Map.of("permissions", List.of("MEMBERS_MANAGE", "REFUNDS"))).patch("/members/" + t.staffId())
                .then().statusCode(403);
        bearer(staff).body(Map.of("email", "x@" + t.slug() + ".example", "role", "staff", "permissions", List.of("REFUNDS")))
                .post("/invitations").then().statusCode(403);
        String colleagueToken = bearer(staff).body(Map.of("email", "c@" + t.slug() + ".example", "role", "staff"))
                .post("/invitations").then().statusCode(201).extract().path("acceptToken");
        String colleague = Api.json().body(Map.of("token", colleagueToken, "displayName", "C", "password", Api.PASSWORD))
                .post("/invitations/accept").then().statusCode(200).extract().path("userId");
        bearer(staff).body(Map.of("permissions", List.of("REFUNDS"))).patch("/members/" + colleague).then().statusCode(403);
        bearer(staff).body(Map.of("role", "admin")).patch("/members/" + colleague).then().statusCode(403);
        bearer(staff).body(Map.of("permissions", List.of("MEMBERS_MANAGE"))).patch("/members/" + colleague).then().statusCode(200);
    }

    /**
     * Authority is read from the database on every request: a co-owner demoted to staff keeps a valid access token,
     * but it no longer invites, changes roles or renames the tenant (the takeover the token alone would allow), and
     * the demoted member's refresh tokens are ended.
     */
    @Test
    void aDemotedOwnerLosesOwnerPowerAtOnceThoughTheTokenStillSaysOwner() {
        TestTenant t = Api.newTenant(null);
        String firstOwner = t.ownerToken();
        bearer(firstOwner).body(Map.of("role", "owner")).patch("/members/" + t.staffId()).then().statusCode(200);
        io.restassured.response.Response coOwnerLogin = Api.loginResponse(t.staffEmail(), t.slug());
        String coOwner = coOwnerLogin.then().statusCode(200).extract().path("accessToken");
        String coOwnerRefresh = coOwnerLogin.path("refreshToken");
        bearer(coOwner).get("/invitations").then().statusCode(200);

        bearer(firstOwner).body(Map.of("role", "staff", "permissions", List.of())).patch("/members/" + t.staffId()).then().statusCode(200);
        bearer(coOwner).body(Map.of("email", "accomplice@example.com", "role", "owner")).post("/invitations").then().statusCode(403);
        bearer(coOwner).body(Map.of("role", "staff")).patch("/members/" + t.ownerId()).then().statusCode(403);
        bearer(coOwner).body(Map.of("name", "Taken over")).patch("/tenant").then().statusCode(403);
        bearer(coOwner).get("/invitations").then().statusCode(403);
        Api.json().body(Map.of("refreshToken", coOwnerRefresh)).post("/auth/refresh").then().statusCode(401);

        // Suspended: nothing at all, not even what staff may do.
        bearer(firstOwner).body(Map.of("status", "suspended")).patch("/members/" + t.staffId()).then().statusCode(200);
        bearer(coOwner).get("/members").then().statusCode(403);
    }

    /** Two owners demoting each other at the same moment: one wins, the other is refused; the tenant keeps an owner. */
    @Test
    void twoOwnersDemotingEachOtherAtOnceLeaveOneOwner() throws Exception {
        for (int round = 0; round < 10; round++) {
            TestTenant t = Api.newTenant(null);
            String first = t.ownerToken();
            bearer(first).body(Map.of("role", "owner")).patch("/members/" + t.staffId()).then().statusCode(200);
            String second = Api.login(t.staffEmail(), t.slug());
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var demoteSecond = pool.submit(() -> {
                    start.await();
                    return bearer(first).body(Map.of("role", "staff")).patch("/members/" + t.staffId()).statusCode();
                });
                var demoteFirst = pool.submit(() -> {
                    start.await();
                    return bearer(second).body(Map.of("role", "staff")).patch("/members/" + t.ownerId()).statusCode();
                });
                start.countDown();
                List<Integer> answers = List.of(demoteSecond.get(), demoteFirst.get());
                assertEquals(1, answers.stream().filter(status -> status == 200).count(), "one demotion wins: " + answers);
                // Refused in the transaction (409: the last owner) or, if the winner committed first, already as no owner (403).
                assertTrue(answers.contains(409) || answers.contains(403), "the other is refused: " + answers);
            }
            assertEquals(1, io.palisade.devstack.testing.PalisadeTestStack.get().count("select count(*) from tenancy.memberships"
                    + " where tenant_id = ? and role = 'owner' and status = 'active'", t.id()), "round " + round + ": one active owner");
        }
    }

    @Test
    void platformAdminRoleIsRequiredForPlatformOperations() {
        TestTenant t = Api.newTenant(null);
        bearer(t.ownerToken()).post("/platform/signing-keys/rotate").then().statusCode(403);
    }
}
