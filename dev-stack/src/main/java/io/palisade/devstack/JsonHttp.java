package io.palisade.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON over HTTP as the demo seeding and the startup training call the services: an optional bearer token, and only
 * the answers the caller expects (any other stops it, naming what it was doing).
 */
final class JsonHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String doing;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param doing what the calls are for, e.g. "demo seeding", named in the error an unexpected answer raises */
    JsonHttp(String doing) {
        this.doing = doing;
    }

    HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), bearer);
    }

    HttpResponse<String> post(String url, String bearer, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), bearer);
    }

    HttpResponse<String> expect(HttpResponse<String> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new IllegalStateException(doing + ": " + response.request().method() + " " + response.request().uri().getPath()
                + " answered " + response.statusCode() + ": " + response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String bearer) throws IOException, InterruptedException {
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
