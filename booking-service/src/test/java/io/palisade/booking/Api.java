package io.palisade.booking;

import static io.restassured.RestAssured.given;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Drives booking-service through its HTTP API, as the staff app and the booking widget would. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification json() {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    public static RequestSpecification bearer(String token) {
        return json().header("Authorization", "Bearer " + token);
    }

    /** A hold request of a guest with a fresh email address. */
    public static Map<String, Object> holdBody(Object slotId, int seats) {
        return Map.of("slotId", slotId, "seats", seats, "guest", Map.of("name", "Ann Guest",
                "email", "ann-" + java.util.UUID.randomUUID() + "@example.net", "phone", "+41 79 555 01 23",
                "dietaryNeeds", "vegetarian", "allergies", "peanuts"));
    }

    /** A published offering with one slot tomorrow; returns the slot id. */
    public static String publishedSlot(String ownerToken, long priceMinor, int capacity) {
        String offering = bearer(ownerToken).body(Map.of("name", "Sunset kayak tour", "priceMinor", priceMinor, "currency", "EUR",
                "durationMinutes", 90, "published", true)).post("/offerings").then().statusCode(201).extract().path("id");
        return bearer(ownerToken).body(Map.of("startsAt", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withNano(0).toString(),
                "capacity", capacity)).post("/offerings/" + offering + "/slots").then().statusCode(201).extract().path("id");
    }
}
