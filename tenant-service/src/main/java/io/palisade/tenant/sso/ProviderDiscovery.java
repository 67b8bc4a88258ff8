package io.palisade.tenant.sso;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.egress.CheckedUrl;
import io.palisade.common.egress.Egress;
import io.palisade.common.egress.EgressRefused;
import io.palisade.common.egress.PinnedHttpClient;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Reads a tenant's identity provider's discovery document (OpenID Connect Discovery 1.0) when an owner saves the
 * configuration: the issuer and every endpoint the document names pass the egress guard (https, public addresses
 * only), the document is fetched from the address the guard checked and nothing else, and its issuer must be exactly
 * the one configured (section 4.3). What it finds is stored; the sign-in path uses that and never fetches discovery.
 */
@ApplicationScoped
public class ProviderDiscovery {

    /** The endpoints a sign-in needs, each checked by the guard. */
    public record Endpoints(String authorization, String token, String jwks) {
    }

    private final Egress egress;

    ProviderDiscovery(Egress egress) {
        this.egress = egress;
    }

    public Uni<Endpoints> discover(String issuer) {
        // DNS lookups and the socket block: on a worker thread, never the event loop.
        return Uni.createFrom().item(() -> discoverNow(issuer)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Endpoints discoverNow(String issuer) {
        CheckedUrl document = allowed("issuer", (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration");
        List<InetAddress> addresses = resolved("issuer", document);
        PinnedHttpClient.Answer answer;
        try {
            answer = egress.http().get(document, addresses, Map.of("Accept", "application/json"));
        } catch (IOException e) {
            throw ProblemException.unprocessable("the identity provider's discovery document could not be read from " + document.url()
                    + ": " + e.getMessage());
        }
        if (answer.status() != 200) {
            throw ProblemException.unprocessable("the identity provider's discovery document at " + document.url() + " answered HTTP "
                    + answer.status());
        }
        JsonObject metadata;
        try {
            metadata = new JsonObject(new String(answer.body(), StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw ProblemException.unprocessable("the identity provider's discovery document at " + document.url() + " is not a JSON object");
        }
        if (!issuer.equals(metadata.getValue("issuer"))) {
            throw ProblemException.unprocessable("the discovery document names the issuer '" + metadata.getValue("issuer")
                    + "', not the configured '" + issuer + "'");
        }
        return new Endpoints(endpoint(metadata, "authorization_endpoint"), endpoint(metadata, "token_endpoint"), endpoint(metadata, "jwks_uri"));
    }

    /** A URL the document names: present, and allowed by the guard as the issuer is. */
    private String endpoint(JsonObject metadata, String name) {
        if (!(metadata.getValue(name) instanceof String url)) {
            throw ProblemException.unprocessable("the discovery document has no " + name);
        }
        resolved(name, allowed(name, url));
        return url;
    }

    private CheckedUrl allowed(String what, String url) {
        try {
            return egress.guard().check(url);
        } catch (EgressRefused e) {
            throw ProblemException.unprocessable("the identity provider's " + what + " is refused: " + e.getMessage());
        }
    }

    private List<InetAddress> resolved(String what, CheckedUrl url) {
        try {
            return egress.guard().resolve(url);
        } catch (EgressRefused e) {
            throw ProblemException.unprocessable("the identity provider's " + what + " is refused: " + e.getMessage());
        }
    }
}
