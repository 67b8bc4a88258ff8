package io.palisade.common.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.vertx.core.json.JsonObject;

/**
 * One event type of Palisade's contract (docs/events.md): its CloudEvents type, the topic it travels on, the version of
 * its data and the record that is its data, which the producer appends (Outbox) and every consumer reads
 * ({@link CloudEvent#data(EventType)}). Several types may share one record (booking.confirmed and booking.refunded
 * say the same things). {@code webhook}: tenants may subscribe endpoints to it, and its data is then the public,
 * documented form (docs/webhooks.md).
 */
public record EventType<T>(String type, String topic, int version, Class<T> data, boolean webhook, String meaning) {

    // Every field is written, nulls included; a reader wants every field of the record and tolerates fields it does not
    // know (a later version may add some).
    private static final JsonMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public JsonObject write(T value) {
        try {
            return new JsonObject(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + type, e);
        }
    }

    /** The data as this type's record; IllegalArgumentException (it can never be applied) when it does not follow the contract. */
    public T read(JsonObject value) {
        if (value == null) {
            throw new IllegalArgumentException(type + " v" + version + " without data");
        }
        try {
            return JSON.readValue(value.encode(), data);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException(type + " v" + version + " does not follow its contract: " + e.getMessage(), e);
        }
    }
}
