package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Idempotency-Key on a tenant-scoped POST (creating an invitation). */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class IdempotencyTest {

    @Test
    void fiftyConcurrentIdenticalPostsCreateExactlyOneObject() {
        TestTenant t = Api.newTenant(null);
        String token = t.ownerToken();
        String key = UUID.randomUUID().toString();
        String body = "{\"email\":\"once@" + t.slug() + ".example\",\"role\":\"staff\"}";
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:8081/invitations"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
        Map<Integer, Long> statuses = responses.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertTrue(statuses.keySet().stream().allMatch(s -> s == 201 || s == 409), "only created, replayed or in-flight: " + statuses);
        List<String> createdIds = responses.stream().filter(r -> r.statusCode() == 201)
                .map(r -> new JsonPath(r.body()).getString("id")).distinct().toList();
        assertEquals(1, createdIds.size(), "every 201 names the same invitation");

        List<String> emails = bearer(token).get("/invitations").then().statusCode(200).extract().path("email");
        assertEquals(1, emails.stream().filter(e -> e.startsWith("once@")).count(), "exactly one invitation exists");

        Response replay = bearer(token).header("Idempotency-Key", key).body(body).post("/invitations");
        replay.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(createdIds.get(0), replay.path("id"));
        assertTrue(replay.path("acceptToken") != null, "the replay is the first response, body and all");
    }

    @Test
    void theSameKeyForADifferentRequestIs422() {
        TestTenant t = Api.newTenant(null);
        String token = t.ownerToken();
        String key = UUID.randomUUID().toString();
        bearer(token).header("Idempotency-Key", key).body(Map.of("email", "a@" + t.slug() + ".example", "role", "staff"))
                .post("/invitations").then().statusCode(201);
        bearer(token).header("Idempotency-Key", key).body(Map.of("email", "b@" + t.slug() + ".example", "role", "staff"))
                .post("/invitations").then().statusCode(422);
    }

    @Test
    void keysBelongToTheirTenantAndPrincipal() {
        TestTenant a = Api.newTenant("MEMBERS_MANAGE");
        TestTenant b = Api.newTenant(null);
        String key = UUID.randomUUID().toString();
        Map<String, String> invite = Map.of("email", "shared@example.com", "role", "staff");
        String first = bearer(a.ownerToken()).header("Idempotency-Key", key).body(invite).post("/invitations")
                .then().statusCode(201).extract().path("id");
        String byColleague = bearer(a.staffToken()).header("Idempotency-Key", key).body(invite).post("/invitations")
                .then().statusCode(201).header("Idempotent-Replayed", (String) null).extract().path("id");
        String byOtherTenant = bearer(b.ownerToken()).header("Idempotency-Key", key).body(invite).post("/invitations")
                .then().statusCode(201).header("Idempotent-Replayed", (String) null).extract().path("id");
        assertEquals(3, List.of(first, byColleague, byOtherTenant).stream().distinct().count());
    }

    @Test
    void aServerErrorIsNotStoredSoTheRetryRunsAgain() throws Exception {
        TestTenant t = Api.newTenant(null);
        String token = t.ownerToken();
        String key = UUID.randomUUID().toString();
        Map<String, String> invite = Map.of("email", "retry@" + t.slug() + ".example", "role", "staff");
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            st.execute("alter table tenancy.invitations rename to invitations_unavailable");
            try {
                bearer(token).header("Idempotency-Key", key).body(invite).post("/invitations").then().statusCode(500);
            } finally {
                st.execute("alter table tenancy.invitations_unavailable rename to invitations");
            }
        }
        bearer(token).header("Idempotency-Key", key).body(invite).post("/invitations").then().statusCode(201)
                .header("Idempotent-Replayed", (String) null);
    }

    @Test
    void malformedKeysAreRefused() {
        TestTenant t = Api.newTenant(null);
        bearer(t.ownerToken()).header("Idempotency-Key", "x".repeat(256)).body(Map.of("email", "k@example.com", "role", "staff"))
                .post("/invitations").then().statusCode(400);
    }
}
