package io.palisade.common.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** An RFC 9457 problem detail. Extension members are flattened into the JSON object. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);
    /** Extension member that is also sent as the Retry-After header. */
    public static final String RETRY_AFTER_SECONDS = "retryAfterSeconds";

    public final URI type;
    public final String title;
    public final int status;
    public final String detail;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public Problem(int status, String title, String detail) {
        this.type = URI.create("about:blank");
        this.title = title;
        this.status = status;
        this.detail = detail;
    }

    public Problem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    @JsonAnyGetter
    public Map<String, Object> extensions() {
        return extensions;
    }

    public Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).type(PROBLEM_JSON).entity(this);
        Object retryAfter = extensions.get(RETRY_AFTER_SECONDS);
        if (retryAfter != null) {
            response.header("Retry-After", retryAfter);
        }
        return response.build();
    }
}
