package io.palisade.common.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;

/** Security headers on every response of every service, errors and health checks included. */
@ApplicationScoped
public class SecurityHeaders {

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            rc.addHeadersEndHandler(ignored -> {
                MultiMap headers = rc.response().headers();
                headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
                boolean swaggerUi = rc.normalizedPath().startsWith("/q/swagger-ui");
                headers.set("Content-Security-Policy", swaggerUi
                        ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
                        : "default-src 'none'; frame-ancestors 'none'");
                headers.set("X-Frame-Options", "DENY");
                headers.set("X-Content-Type-Options", "nosniff");
                headers.set("Referrer-Policy", "no-referrer");
                headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
                headers.set("Cache-Control", "no-store");
            });
            rc.next();
        }, 1000);
    }
}
