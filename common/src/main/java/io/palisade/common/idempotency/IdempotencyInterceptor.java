package io.palisade.common.idempotency;

import java.util.Arrays;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.palisade.common.crypto.Hashes;
import io.palisade.common.idempotency.IdempotencyKeys.Claimed;
import io.palisade.common.idempotency.IdempotencyKeys.InFlight;
import io.palisade.common.idempotency.IdempotencyKeys.Mismatch;
import io.palisade.common.idempotency.IdempotencyKeys.Replay;
import io.palisade.common.idempotency.IdempotencyKeys.StoredResponse;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code Idempotency-Key} for mutating endpoints, per tenant and principal: the first completed response
 * (2xx and 4xx) is replayed for the same key and request; the same key with a different request is 422; a
 * request still in flight under the key is 409; failures that are not the caller's (5xx, database errors,
 * timeouts) are not stored, so a retry runs again. Records expire after 24 hours.
 */
@Idempotent
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER)
public class IdempotencyInterceptor {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final int MAX_KEY_LENGTH = 255;

    private final IdempotencyKeys keys;
    private final CurrentTenant currentTenant;
    private final HttpServerRequest request;
    private final ObjectMapper json;

    IdempotencyInterceptor(IdempotencyKeys keys, CurrentTenant currentTenant, HttpServerRequest request, ObjectMapper json) {
        this.keys = keys;
        this.currentTenant = currentTenant;
        this.request = request;
        this.json = json;
    }

    @AroundInvoke
    Object around(InvocationContext invocation) throws Exception {
        String key = request.getHeader(HEADER);
        if (key == null) {
            return invocation.proceed();
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw ProblemException.badRequest(HEADER + " must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters");
        }
        TenantContext caller = currentTenant.get();
        String fingerprint = fingerprint(invocation);
        return keys.claim(caller, key, fingerprint).chain(claim -> switch (claim) {
            case Claimed c -> run(invocation, caller, key);
            case Replay r -> Uni.createFrom().item(replay(r.response()));
            case InFlight f -> Uni.createFrom().failure(ProblemException.conflict(
                    "a request with this " + HEADER + " is still in progress; retry later"));
            case Mismatch m -> Uni.createFrom().failure(ProblemException.unprocessable(
                    "this " + HEADER + " was used for a different request"));
        });
    }

    @SuppressWarnings("unchecked")
    private Uni<Response> run(InvocationContext invocation, TenantContext caller, String key) {
        Uni<Response> work;
        try {
            work = (Uni<Response>) invocation.proceed();
        } catch (Exception e) {
            work = Uni.createFrom().failure(e);
        }
        return work.onItemOrFailure().transformToUni((response, failure) -> {
            if (failure == null && response.getStatus() < 500) {
                return keys.complete(caller, key, stored(response)).replaceWith(response);
            }
            if (failure instanceof ProblemException p && p.problem().status < 500) {
                return keys.complete(caller, key, stored(p.problem().toResponse()))
                        .chain(() -> Uni.createFrom().<Response>failure(failure));
            }
            Uni<Void> released = keys.release(caller, key);
            return failure == null ? released.replaceWith(response) : released.chain(() -> Uni.createFrom().<Response>failure(failure));
        });
    }

    private StoredResponse stored(Response response) {
        try {
            Object entity = response.getEntity();
            byte[] body = entity == null ? new byte[0] : json.writeValueAsBytes(entity);
            Object type = response.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
            Object location = response.getHeaders().getFirst(HttpHeaders.LOCATION);
            return new StoredResponse(response.getStatus(), type == null ? null : type.toString(),
                    location == null ? null : location.toString(), body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serializable for replay", e);
        }
    }

    private static Response replay(StoredResponse stored) {
        Response.ResponseBuilder builder = Response.status(stored.status()).header(REPLAYED_HEADER, "true");
        if (stored.body().length > 0) {
            builder.entity(stored.body()).type(stored.contentType() == null
                    ? (stored.status() >= 400 ? Problem.MEDIA_TYPE : "application/json") : stored.contentType());
        }
        if (stored.location() != null) {
            builder.header(HttpHeaders.LOCATION, stored.location());
        }
        return builder.build();
    }

    /** The request as the endpoint saw it: method, path, query and every argument in canonical JSON. */
    private String fingerprint(InvocationContext invocation) throws JsonProcessingException {
        String canonical = request.method().name() + " " + request.path() + "?" + (request.query() == null ? "" : request.query())
                + "\n" + invocation.getMethod().getName() + "\n" + json.writeValueAsString(Arrays.asList(invocation.getParameters()));
        return Hashes.sha256Hex(canonical);
    }
}
