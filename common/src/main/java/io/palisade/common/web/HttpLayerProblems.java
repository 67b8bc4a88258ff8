package io.palisade.common.web;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationRedirectException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * What the HTTP layer answers before any resource runs leaves as problem+json too: a request body over the limit
 * (413, refused from its Content-Length before a byte of it is read), and client errors the router itself raises.
 * The body limit is small for JSON APIs and the public widget ({@code palisade.http.max-body-size}); paths that take
 * larger bodies by nature (Stripe's events) are listed in {@code palisade.http.large-body-paths} and bounded by
 * {@code quarkus.http.limits.max-body-size} alone.
 */
@ApplicationScoped
public class HttpLayerProblems {

    @ConfigProperty(name = "palisade.http.max-body-size")
    MemorySize maxBodySize;

    @ConfigProperty(name = "palisade.http.large-body-paths")
    Optional<List<String>> largeBodyPaths;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::limitBody);
        router.route().order(Integer.MIN_VALUE + 1).failureHandler(this::answer);
    }

    private void limitBody(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        String path = context.normalizedPath();
        if (length != null && largeBodyPaths.orElse(List.of()).stream().noneMatch(path::startsWith)) {
            long bytes;
            try {
                bytes = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                send(context, new Problem(400, "Bad Request", "the Content-Length header is not a number"));
                return;
            }
            if (bytes > maxBodySize.asLongValue()) {
                if (context.request().version() != HttpVersion.HTTP_2) {
                    // The body is not read: the connection cannot carry another request (HTTP/2 closes the stream instead).
                    context.response().putHeader(HttpHeaders.CONNECTION, "close");
                }
                send(context, new Problem(413, "Content Too Large", "the request body is larger than this endpoint accepts ("
                        + maxBodySize.asLongValue() + " bytes)").with("maxBytes", maxBodySize.asLongValue()));
                return;
            }
        }
        context.next();
    }

    private void answer(RoutingContext context) {
        int status = context.failure() instanceof HttpException http ? http.getStatusCode() : context.statusCode();
        if (context.response().headWritten() || context.failure() instanceof AuthenticationRedirectException || status < 400 || status >= 500) {
            context.next();
            return;
        }
        String reason = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        send(context, new Problem(status, reason, status == 413 ? "the request body is larger than this service accepts"
                : "the request was refused before it reached the API: " + reason.toLowerCase(java.util.Locale.ROOT)));
    }

    /** Ends the request with the problem, for handlers that run before any resource (the SSO path's too). */
    public static void send(RoutingContext context, Problem problem) {
        context.response().setStatusCode(problem.status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(Json.encode(problem));
    }
}
