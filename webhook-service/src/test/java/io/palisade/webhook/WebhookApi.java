package io.palisade.webhook;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** The webhook API as a signed-in caller uses it in tests. */
public final class WebhookApi {

    private WebhookApi() {
    }

    /** A JSON request with the caller's bearer token. */
    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json");
    }
}
