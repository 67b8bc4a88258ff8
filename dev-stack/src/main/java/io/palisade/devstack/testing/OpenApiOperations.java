package io.palisade.devstack.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every operation of a running service ("GET /members/{userId}"), read from its OpenAPI document, so that each
 * service's cross-tenant test fails when an endpoint is added without a probe.
 */
public final class OpenApiOperations {

    private static final List<String> METHODS = List.of("get", "put", "post", "patch", "delete");

    private OpenApiOperations() {
    }

    /**
     * How a service's operations compare with its test's list: {@code unprobed} operations neither probed nor named
     * exempt, and {@code stale} names of operations that no longer exist.
     */
    public record Coverage(Set<String> unprobed, Set<String> stale) {
    }

    public static Coverage coverage(String baseUrl, Set<String> probed, Set<String> exempt) {
        Set<String> operations = of(baseUrl);
        Set<String> unprobed = new TreeSet<>(operations);
        unprobed.removeAll(probed);
        unprobed.removeAll(exempt);
        Set<String> stale = new TreeSet<>(probed);
        stale.addAll(exempt);
        stale.removeAll(operations);
        return new Coverage(unprobed, stale);
    }

    public static Set<String> of(String baseUrl) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/openapi?format=json"))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("no OpenAPI document at " + baseUrl + ": " + response.statusCode());
            }
            Set<String> operations = new TreeSet<>();
            Iterator<Map.Entry<String, JsonNode>> paths = new ObjectMapper().readTree(response.body()).path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                path.getValue().fieldNames().forEachRemaining(method -> {
                    if (METHODS.contains(method)) {
                        operations.add(method.toUpperCase() + " " + path.getKey());
                    }
                });
            }
            if (operations.isEmpty()) {
                throw new IllegalStateException("the OpenAPI document at " + baseUrl + " lists no operation");
            }
            return operations;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
