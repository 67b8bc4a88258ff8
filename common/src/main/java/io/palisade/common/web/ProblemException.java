package io.palisade.common.web;

import jakarta.ws.rs.core.Response.Status;

/** Ends a request with a problem+json answer. Thrown for every expected refusal: never a stack trace to the client. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.title + ": " + problem.detail, null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(new Problem(404, "Not Found", what + " was not found"));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(new Problem(409, "Conflict", detail));
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(new Problem(422, "Unprocessable Content", detail));
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(new Problem(400, "Bad Request", detail));
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(new Problem(403, "Forbidden", detail));
    }

    /** 429 with a Retry-After header: the client may try again after that many seconds. */
    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(new Problem(429, "Too Many Requests", detail).with(Problem.RETRY_AFTER_SECONDS, retryAfterSeconds));
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(new Problem(Status.UNAUTHORIZED.getStatusCode(), "Unauthorized", detail));
    }
}
