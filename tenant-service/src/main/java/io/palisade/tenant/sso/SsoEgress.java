package io.palisade.tenant.sso;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.palisade.common.egress.Egress;
import io.palisade.common.egress.EgressRules;
import io.palisade.common.egress.HostResolver;
import io.smallrye.config.ConfigMapping;

/**
 * Where Palisade may reach tenants' identity providers: common's egress guard under {@code palisade.sso.egress.*}
 * (an issuer, and every URL its discovery document names, is a URL a tenant chose).
 */
public class SsoEgress {

    @ConfigMapping(prefix = "palisade.sso.egress")
    public interface Rules extends EgressRules {
    }

    @Produces
    @Singleton
    Egress egress(Rules rules, HostResolver resolver) {
        return new Egress(rules, resolver);
    }
}
