package io.palisade.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Hundreds of interleaved requests of different tenants share a pool of four connections (test profile):
 * each response holds its own tenant's members only, so no scope survives on a pooled connection.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class PooledConnectionContextTest {

    @Test
    void interleavedTenantsNeverSeeEachOther() {
        List<TestTenant> tenants = List.of(Api.newTenant(null), Api.newTenant(null), Api.newTenant(null), Api.newTenant(null));
        List<String> tokens = tenants.stream().map(TestTenant::ownerToken).toList();
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<String>> responses = new ArrayList<>();
        int requests = 400;
        for (int i = 0; i < requests; i++) {
            TestTenant tenant = tenants.get(i % tenants.size());
            String token = tokens.get(i % tenants.size());
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:8081/members"))
                    .header("Authorization", "Bearer " + token).GET().build();
            responses.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                assertEquals(200, r.statusCode(), r.body());
                Set<String> seen = new JsonPath(r.body()).<String>getList("items.userId").stream().collect(Collectors.toSet());
                assertEquals(Set.of(tenant.ownerId().toString(), tenant.staffId().toString()), seen,
                        "members seen with the token of " + tenant.slug());
                return tenant.slug();
            }));
        }
        long completed = responses.stream().map(CompletableFuture::join).count();
        assertTrue(completed == requests);
    }
}
