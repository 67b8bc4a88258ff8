package io.palisade.tenant.sso;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.palisade.common.web.HttpLayerProblems;
import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.AuthenticationRedirectException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The SSO sign-in path authenticates at the HTTP layer (quarkus-oidc's code flow), before any resource, so its
 * failures never reach the API's exception mappers. They are answered here, as problem+json like every other error
 * and without the OIDC library's internals: a configuration that cannot be used is 503, an identity provider that
 * is unreachable, refused by the egress rules or answers badly is 502, a sign-in the provider did not complete 401.
 */
@ApplicationScoped
public class SsoFailures {

    private static final Logger LOG = Logger.getLogger(SsoFailures.class);

    void install(@Observes Router router) {
        router.route("/sso/*").order(Integer.MIN_VALUE).failureHandler(this::answer);
    }

    private void answer(RoutingContext context) {
        if (context.response().headWritten() || context.failure() instanceof AuthenticationRedirectException) {
            // The redirect to the provider is how the code flow starts: Quarkus answers it.
            context.next();
            return;
        }
        Problem problem = problem(context);
        if (problem.status >= 500) {
            LOG.warnf(context.failure(), "SSO sign-in at %s failed: %s", context.normalizedPath(), problem.detail);
        }
        HttpLayerProblems.send(context, problem);
    }

    private static Problem problem(RoutingContext context) {
        for (Throwable cause = context.failure(); cause != null; cause = cause.getCause()) {
            if (cause instanceof ProblemException e) {
                return e.problem();
            }
            if (cause instanceof IdentityProviderEgress.Refused e) {
                return new Problem(502, "Bad Gateway", "this tenant's identity provider cannot be reached: " + e.getMessage());
            }
            if (cause instanceof java.io.IOException || cause instanceof io.vertx.core.VertxException) {
                return unreachable();
            }
        }
        if (context.failure() instanceof AuthenticationFailedException || context.failure() instanceof AuthenticationCompletionException) {
            return new Problem(401, "Unauthorized", "the identity provider's answer was not accepted; start the sign-in again");
        }
        if (context.failure() == null && context.statusCode() == 401) {
            return new Problem(401, "Unauthorized", "the sign-in with the identity provider did not complete; start again");
        }
        if (context.failure() == null && context.statusCode() >= 400 && context.statusCode() < 500) {
            return new Problem(context.statusCode(), "Bad Request", "the sign-in request is not valid");
        }
        return unreachable();
    }

    private static Problem unreachable() {
        return new Problem(502, "Bad Gateway", "this tenant's identity provider did not answer as expected; try again later or ask an owner");
    }
}
