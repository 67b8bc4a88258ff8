package io.palisade.common.events;

import java.util.UUID;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A CloudEvents 1.0 JSON message as the outbox relays publish them (docs/events.md): an id unique per event,
 * the type, the tenant it belongs to, the trace it continues (distributed-tracing extension) and the data.
 */
public record CloudEvent(String id, String type, String source, String subject, UUID tenantId, String time, String traceparent,
        JsonObject data) {

    /**
     * The data as its type's record (the registry, EventContracts). EventConsumers has checked it against its contract
     * before a handler gets it; read as another type, or not following the contract, it is refused with
     * IllegalArgumentException (an event that can never be applied).
     */
    public <T> T data(EventType<T> as) {
        if (!as.type().equals(type)) {
            throw new IllegalArgumentException("a " + type + " event read as " + as.type());
        }
        return as.read(data);
    }

    /** Parses a message; a message that is not a usable CloudEvent (or whose id is no UUID) is refused with IllegalArgumentException. */
    public static CloudEvent parse(String json) {
        if (json == null) {
            throw new IllegalArgumentException("an empty message");
        }
        try {
            JsonObject event = new JsonObject(json);
            if (!"1.0".equals(event.getString("specversion")) || event.getString("id") == null || event.getString("type") == null) {
                throw new IllegalArgumentException("not a CloudEvents 1.0 message");
            }
            // Every Palisade event's id is its outbox row's UUID; consumers key what they applied by it.
            UUID.fromString(event.getString("id"));
            String tenant = event.getString("tenantid");
            return new CloudEvent(event.getString("id"), event.getString("type"), event.getString("source"), event.getString("subject"),
                    tenant == null ? null : UUID.fromString(tenant), event.getString("time"), event.getString("traceparent"),
                    event.getJsonObject("data", new JsonObject()));
        } catch (DecodeException | ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a CloudEvents 1.0 message", e);
        }
    }
}
