package io.palisade.common.web;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * What is told of a request refused with 403 before the refusal goes out (the audit log keeps it: common's
 * audit.AuthorizationFailures). Declared here so the problem mappers depend on no feature above them.
 */
public interface Refusals {

    /** Never fails: a refusal that cannot be recorded still goes out. */
    Uni<Void> record(HttpServerRequest request, String reason);
}
