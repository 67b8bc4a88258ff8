package io.palisade.common.web;

import java.util.List;
import java.util.Map;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.pgclient.PgException;

/** Every error leaves as problem+json; unexpected ones as a bare 500 without internals. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final Refusals refusals;

    ProblemMappers(Refusals refusals) {
        this.refusals = refusals;
    }

    @ServerExceptionMapper
    public Uni<Response> problem(ProblemException e, HttpServerRequest request) {
        if (e.problem().status == 403) {
            return refusals.record(request, e.problem().detail).map(ignored -> e.problem().toResponse());
        }
        return Uni.createFrom().item(e.problem().toResponse());
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", field(v.getPropertyPath().toString()), "message", v.getMessage()))
                .toList();
        return new Problem(400, "Bad Request", "the request is not valid").with("errors", errors).toResponse();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return new Problem(400, "Bad Request", "the request body is not valid JSON for this endpoint").toResponse();
    }

    /**
     * Valid JSON with a value of the wrong kind: a string for a number, an object for a string, a fractional number for
     * an integer, a malformed UUID or date, text that is not valid Unicode. Mapped here, not by the JSON library's own
     * mapper (which answers an empty 400), with the field that failed.
     */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = e.getPath().stream()
                .map(reference -> reference.getFieldName() != null ? "." + reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(java.util.stream.Collectors.joining()).replaceFirst("^\\.", "");
        String expected = e instanceof StrictJson.InvalidUnicode ? "valid Unicode text (no lone UTF-16 surrogate)" : expected(e.getTargetType());
        String message = "must be " + expected;
        if (field.isEmpty()) {
            return new Problem(422, "Unprocessable Content", "the request body must be " + expected).toResponse();
        }
        return new Problem(422, "Unprocessable Content", field + " " + message)
                .with("errors", List.of(Map.of("field", field, "message", message))).toResponse();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class || type == short.class
                || type == Short.class || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class || type == java.math.BigDecimal.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        if (type == java.time.LocalDate.class) {
            return "a date (YYYY-MM-DD)";
        }
        if (type == java.time.OffsetDateTime.class || type == java.time.Instant.class || type == java.time.ZonedDateTime.class) {
            return "a date-time with offset (RFC 3339)";
        }
        if (type == java.time.Duration.class) {
            return "a duration (ISO 8601)";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e) {
        return Response.fromResponse(new Problem(401, "Unauthorized", "a valid bearer token is required").toResponse())
                .header("WWW-Authenticate", "Bearer").build();
    }

    /** Refusals of signed-in callers are audited (auth.forbidden) before the 403 goes out. */
    @ServerExceptionMapper
    public Uni<Response> forbidden(ForbiddenException e, HttpServerRequest request) {
        return refusals.record(request, "role or permissions")
                .map(ignored -> new Problem(403, "Forbidden", "your role or permissions do not allow this").toResponse());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        String title = Response.Status.fromStatusCode(status) == null ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase();
        String detail = status >= 500 ? "the request could not be completed" : e.getMessage();
        return new Problem(status, title, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response database(PgException e) {
        // Constraint violations that slipped past validation are the caller's fault, never a 500.
        String state = e.getSqlState();
        if ("23505".equals(state)) {
            return new Problem(409, "Conflict", "this conflicts with an existing resource").toResponse();
        }
        if (state != null && (state.startsWith("23") || state.startsWith("22"))) {
            return new Problem(422, "Unprocessable Content", "the request violates a data rule").toResponse();
        }
        if ("42501".equals(state)) {
            // Row-level security refused the write: to the caller the object does not exist.
            LOG.debugf("database refused a write: %s", e.getMessage());
            return new Problem(404, "Not Found", "the resource was not found").toResponse();
        }
        LOG.error("database error " + state, e);
        return new Problem(500, "Internal Server Error", "the request could not be completed").toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        // Reactive pipelines wrap failures: answer for the first cause we know.
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ProblemException p) {
                return p.problem().toResponse();
            }
            if (cause instanceof PgException pg) {
                return database(pg);
            }
        }
        LOG.error("unexpected error", e);
        return new Problem(500, "Internal Server Error", "the request could not be completed").toResponse();
    }

    private static String field(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
