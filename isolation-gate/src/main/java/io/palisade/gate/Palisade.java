package io.palisade.gate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The five services' HTTP APIs, as one client (a tenant's owner, with a bearer token) sees them. */
final class Palisade {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Base URL per service name ("booking-service" → http://palisade-booking-service:8080). */
    private final Map<String, String> urls;

    Palisade(Map<String, String> urls) {
        this.urls = Map.copyOf(urls);
    }

    /** An answer: status and body (JSON, or null when there is none). */
    record Answer(int status, JsonNode body, String text) {
        JsonNode require(int expected, String what) {
            if (status != expected) {
                throw new IllegalStateException(what + ": expected " + expected + ", got " + status + " " + text);
            }
            return body;
        }
    }

    Answer call(String service, String method, String path, String bearer, Object body) {
        String base = urls.get(service);
        if (base == null) {
            throw new IllegalArgumentException("no URL for " + service);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                // Every mutation may carry an Idempotency-Key; a fresh one per call makes each a first request.
                request.header("Content-Type", "application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isBlank() ? null : parse(response.body());
            return new Answer(response.statusCode(), json, response.body());
        } catch (IOException e) {
            throw new IllegalStateException(service + " cannot be reached at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException notJson) {
            return null;
        }
    }
}
