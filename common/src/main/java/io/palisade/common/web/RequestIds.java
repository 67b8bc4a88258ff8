package io.palisade.common.web;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.ContextLocals;

/**
 * Every request has an id: the caller's {@code X-Request-Id} when it is a plain token, else a new one. It is
 * echoed in the response and recorded in audit events, so one action can be followed across services.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    private static final String LOCAL = "palisade.request-id";
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String offered = rc.request().getHeader(HEADER);
            String id = offered != null && ACCEPTED.matcher(offered).matches() ? offered : UUID.randomUUID().toString();
            ContextLocals.put(LOCAL, id);
            rc.response().putHeader(HEADER, id);
            rc.next();
        }, 1100);
    }

    /** The current request's id; empty outside a request (scheduled work, consumers). */
    public static Optional<String> current() {
        try {
            return ContextLocals.get(LOCAL);
        } catch (UnsupportedOperationException | IllegalStateException noRequestContext) {
            return Optional.empty();
        }
    }
}
