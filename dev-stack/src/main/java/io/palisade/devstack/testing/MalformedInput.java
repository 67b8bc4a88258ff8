package io.palisade.devstack.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Sends what a careless or hostile client would to every operation of a running service, read from its OpenAPI
 * document: a body that is not JSON, an array for an object, and for each property of the body a value of the wrong
 * kind (text for a number, a fraction for an integer, an object for text, a malformed UUID or date, text holding a lone
 * UTF-16 surrogate); a path that names no UUID; a body over the limit. Every answer must be a 4xx problem+json with a
 * detail; a wrong-kind value must be a 422 that names the property (the parser refused it, rather than taking it in
 * some altered form and leaving the rest to validation); an oversized body a 413.
 */
public final class MalformedInput {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BODY_METHODS = List.of("post", "put", "patch");
    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");
    /** Larger than any JSON API body limit (palisade.http.max-body-size). */
    private static final int OVERSIZED_BYTES = 100 * 1024;

    /** One answer that breaks the rules: the operation, what was sent, and what came back. */
    public record Finding(String operation, String input, int status, String contentType, String body) {
        @Override
        public String toString() {
            return operation + " with " + input + " -> " + status + " " + contentType + " " + (body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    private final String baseUrl;
    private final String bearerToken;
    private final Map<String, String> pathValues;
    private final List<String> largeBodyPaths;
    /**
     * HTTP/1.1, as the ingress speaks to the services: the client's default offers an HTTP/2 upgrade, and once in a
     * while an answer to an oversized body (413, connection closed) was then read as HTTP/2 frames.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Finding> findings = new ArrayList<>();

    /**
     * @param bearerToken    sent with every request (an owner's, so that authorization rarely answers first)
     * @param pathValues     values for path parameters by name (a tenant's slug); UUID parameters get a random one
     * @param largeBodyPaths path prefixes that accept bodies over the JSON limit (Stripe's events)
     */
    public MalformedInput(String baseUrl, String bearerToken, Map<String, String> pathValues, List<String> largeBodyPaths) {
        this.baseUrl = baseUrl;
        this.bearerToken = bearerToken;
        this.pathValues = pathValues;
        this.largeBodyPaths = largeBodyPaths;
    }

    /** As the owner of a new tenant ({@link TestTenancy}), whose slug fills the slug and tenant path parameters. */
    public static void assertEveryOperationRefusesItCleanly(String baseUrl, List<String> largeBodyPaths) {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(TestTenancy.ALL_PERMISSIONS);
        assertEveryOperationRefusesItCleanly(baseUrl, tenant.ownerToken(), Map.of("slug", tenant.slug(), "tenant", tenant.slug()), largeBodyPaths);
    }

    /** Probes every operation of the service at {@code baseUrl} and fails listing every answer that broke the rules. */
    public static void assertEveryOperationRefusesItCleanly(String baseUrl, String bearerToken, Map<String, String> pathValues,
            List<String> largeBodyPaths) {
        List<Finding> found;
        try {
            found = new MalformedInput(baseUrl, bearerToken, pathValues, largeBodyPaths)
                    .probeEveryOperation();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " malformed request(s) not refused with a clear problem+json:\n"
                    + String.join("\n", found.stream().map(Finding::toString).toList()));
        }
    }

    /** Probes every operation; the answers that broke the rules (none, for a service that handles bad input). */
    public List<Finding> probeEveryOperation() throws IOException, InterruptedException {
        JsonNode document = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/openapi?format=json"))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString()).body());
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : METHODS) {
                JsonNode operation = path.getValue().path(method);
                if (!operation.isMissingNode()) {
                    probe(document, method.toUpperCase(), path.getKey(), operation);
                }
            }
        }
        return findings;
    }

    private void probe(JsonNode document, String method, String template, JsonNode operation) throws IOException, InterruptedException {
        String name = method + " " + template;
        if (template.contains("{")) {
            String notAUuid = fill(template, operation, true);
            if (!notAUuid.equals(fill(template, operation, false))) {
                expectProblem(name, "a path parameter that is not a UUID", send(method, notAUuid, BODY_METHODS.contains(method.toLowerCase()) ? "{}" : null));
            }
        }
        if (!BODY_METHODS.contains(method.toLowerCase())) {
            return;
        }
        String path = fill(template, operation, false);
        if (largeBodyPaths.stream().noneMatch(template::startsWith)) {
            HttpResponse<String> oversized = send(method, path, "{\"padding\": \"" + "x".repeat(OVERSIZED_BYTES) + "\"}");
            if (oversized.statusCode() != 413 || !isProblem(oversized)) {
                record(name, "a body of " + OVERSIZED_BYTES + " bytes", oversized);
            }
        }
        if (!operation.path("requestBody").path("content").has("application/json")) {
            // An operation that takes no body ignores one.
            return;
        }
        JsonNode schema = resolve(document, operation.path("requestBody").path("content").path("application/json").path("schema"));
        expectProblem(name, "a body that is not JSON", send(method, path, "{\"unterminated\": "));
        if (!"object".equals(schema.path("type").asText()) || !schema.has("properties")) {
            return;
        }
        expectProblem(name, "an array instead of an object", send(method, path, "[]"));
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            for (String wrong : wrongValues(resolve(document, property.getValue()))) {
                String body = "{\"" + property.getKey() + "\": " + wrong + "}";
                HttpResponse<String> answer = send(method, path, body);
                if (answer.statusCode() == 401 || answer.statusCode() == 403) {
                    expectProblem(name, body, answer);
                } else if (answer.statusCode() != 422 || !isProblem(answer) || !names(answer, property.getKey())) {
                    record(name, body, answer);
                }
            }
        }
    }

    /** Values of the wrong kind for a property of this schema, as JSON text. */
    private static List<String> wrongValues(JsonNode schema) {
        String type = schema.path("type").asText(schema.has("$ref") || schema.has("properties") ? "object" : "");
        String format = schema.path("format").asText("");
        List<String> values = new ArrayList<>();
        switch (type) {
            case "integer" -> values.addAll(List.of("\"twelve\"", "1.5", "{}"));
            case "number" -> values.addAll(List.of("\"twelve\"", "[]"));
            case "boolean" -> values.addAll(List.of("\"maybe\"", "{}"));
            case "array" -> values.addAll(List.of("{}"));
            case "object" -> values.addAll(List.of("[1]"));
            case "string" -> {
                values.addAll(List.of("{}", "[]", "\"a\\ud800b\""));
                switch (format) {
                    case "uuid" -> values.add("\"not-a-uuid\"");
                    case "date" -> values.add("\"yesterday\"");
                    case "date-time" -> values.add("\"yesterday\"");
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        return values;
    }

    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        JsonNode current = schema;
        for (int depth = 0; depth < 5 && current.has("$ref"); depth++) {
            String ref = current.path("$ref").asText();
            current = document.at(ref.substring(1));
        }
        if (current.has("allOf") && current.path("allOf").size() == 1) {
            return resolve(document, current.path("allOf").get(0));
        }
        return current;
    }

    /** The path with its parameters filled in: known values by name, a random UUID (or, asked, a non-UUID) for UUIDs. */
    private String fill(String template, JsonNode operation, boolean breakUuids) {
        Map<String, String> formats = new LinkedHashMap<>();
        for (JsonNode parameter : operation.path("parameters")) {
            if ("path".equals(parameter.path("in").asText())) {
                formats.put(parameter.path("name").asText(), parameter.path("schema").path("format").asText(""));
            }
        }
        String path = template;
        for (Map.Entry<String, String> parameter : formats.entrySet()) {
            String value = "uuid".equals(parameter.getValue()) ? (breakUuids ? "not-a-uuid" : UUID.randomUUID().toString())
                    : pathValues.getOrDefault(parameter.getKey(), "x");
            path = path.replace("{" + parameter.getKey() + "}", value);
        }
        return path;
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearerToken).header("Accept", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString());
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void expectProblem(String operation, String input, HttpResponse<String> answer) {
        if (answer.statusCode() < 400 || answer.statusCode() >= 500 || !isProblem(answer)) {
            record(operation, input, answer);
        }
    }

    private static boolean isProblem(HttpResponse<String> answer) {
        if (!answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return false;
        }
        try {
            JsonNode problem = JSON.readTree(answer.body());
            return problem.path("status").asInt() == answer.statusCode() && !problem.path("detail").asText("").isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean names(HttpResponse<String> answer, String property) {
        try {
            for (JsonNode error : JSON.readTree(answer.body()).path("errors")) {
                if (error.path("field").asText().equals(property)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private void record(String operation, String input, HttpResponse<String> answer) {
        findings.add(new Finding(operation, input.length() > 120 ? input.substring(0, 120) + "…" : input, answer.statusCode(),
                answer.headers().firstValue("Content-Type").orElse(""), answer.body()));
    }
}
