package io.palisade.tenant.sso;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.jwt.auth.cdi.NullJsonWebToken;

/**
 * With quarkus-oidc present (for tenant SSO only), its JsonWebToken producer outranks smallrye-jwt's and
 * yields an empty token for the Palisade access tokens that smallrye-jwt verified. This one outranks both and
 * hands out the verified principal, whichever mechanism verified it.
 */
@Alternative
@Priority(3)
@RequestScoped
public class SmallryeJwtProducer {

    private final SecurityIdentity identity;

    SmallryeJwtProducer(SecurityIdentity identity) {
        this.identity = identity;
    }

    @Produces
    @RequestScoped
    JsonWebToken current() {
        return identity.getPrincipal() instanceof JsonWebToken jwt ? jwt : new NullJsonWebToken();
    }
}
