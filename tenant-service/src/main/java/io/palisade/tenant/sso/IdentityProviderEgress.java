package io.palisade.tenant.sso;

import java.net.InetAddress;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.egress.CheckedUrl;
import io.palisade.common.egress.Egress;
import io.palisade.common.egress.EgressRefused;
import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.common.OidcRequestFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;

/**
 * Every request quarkus-oidc sends to a tenant's identity provider (code exchange, keys) passes the egress guard
 * again at the moment it is sent, and goes to the address the guard checked: the host is looked up and checked
 * here, the connection is made to that address, and the name stays the virtual host (Host header, TLS SNI and
 * certificate check). A name that was public when the owner saved it and points inward now is refused.
 */
@ApplicationScoped
@Unremovable
public class IdentityProviderEgress implements OidcRequestFilter {

    /** Why a request to an identity provider was not sent; {@link SsoFailures} answers it as a 502. */
    public static final class Refused extends RuntimeException {
        Refused(String reason) {
            super(reason);
        }
    }

    private final Egress egress;

    IdentityProviderEgress(Egress egress) {
        this.egress = egress;
    }

    @Override
    public Uni<Void> filter(OidcRequestFilterContext context) {
        HttpRequest<Buffer> request = context.request();
        return context.runBlocking(() -> pin(request));
    }

    private void pin(HttpRequest<Buffer> request) {
        String host = request.virtualHost() != null ? request.virtualHost() : request.host();
        boolean https = request.ssl() != null ? request.ssl() : request.port() == 443;
        String url = (https ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + request.port() + request.uri();
        try {
            CheckedUrl checked = egress.guard().check(url);
            List<InetAddress> addresses = egress.guard().resolve(checked);
            if (checked.literal().isEmpty()) {
                request.virtualHost(checked.host()).host(addresses.get(0).getHostAddress());
            }
        } catch (EgressRefused e) {
            throw new Refused(e.getMessage());
        }
    }
}
