package io.palisade.tenant.sso;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * quarkus-oidc multi-tenancy, one OIDC tenant per Palisade tenant with SSO, built from its stored settings,
 * and only on its own sign-in path {@code /sso/<slug>/login}. Everywhere else OIDC is explicitly disabled (not
 * "unresolved": then an SSO session cookie could authenticate API calls), and Palisade's own access tokens are
 * verified by smallrye-jwt as always.
 */
@ApplicationScoped
public class SsoTenantResolver implements TenantConfigResolver {

    static final String TENANT_PREFIX = "sso-";
    private static final Pattern SIGN_IN = Pattern.compile("^/sso/([a-z0-9][a-z0-9-]{1,38}[a-z0-9])/login$");
    private static final OidcTenantConfig DISABLED = OidcTenantConfig.builder().tenantId("oidc-disabled").tenantEnabled(false).build();

    private record Built(OffsetDateTime version, OidcTenantConfig config) {
    }

    /** quarkus-oidc compares configs by identity: the same instance per tenant until its settings change. */
    private final Map<String, Built> configs = new ConcurrentHashMap<>();

    private final SsoProviders providers;

    SsoTenantResolver(SsoProviders providers) {
        this.providers = providers;
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext routing, OidcRequestContext<OidcTenantConfig> context) {
        Matcher signIn = SIGN_IN.matcher(routing.normalizedPath());
        if (!signIn.matches()) {
            return Uni.createFrom().item(DISABLED);
        }
        String slug = signIn.group(1);
        return providers.bySlug(slug).map(found -> found.map(provider -> configs.compute(slug, (s, built) ->
                built != null && built.version().equals(provider.updatedAt()) ? built : new Built(provider.updatedAt(), build(s, provider)))
                .config()).orElseThrow(() -> ProblemException.notFound("single sign-on for this tenant")));
    }

    /**
     * The endpoints the owner's save discovered, never discovery at sign-in (an anonymous request must not make
     * Palisade fetch a URL a tenant chose); {@link IdentityProviderEgress} checks each request quarkus-oidc sends.
     */
    private static OidcTenantConfig build(String slug, SsoProviders.Provider provider) {
        ProviderDiscovery.Endpoints endpoints = provider.endpoints().orElseThrow(() -> new ProblemException(new Problem(503,
                "Service Unavailable", "this tenant's single sign-on must be saved again by an owner before it can be used")));
        return OidcTenantConfig.builder()
                .tenantId(TENANT_PREFIX + slug)
                .authServerUrl(provider.issuer())
                .discoveryEnabled(false)
                .authorizationPath(endpoints.authorization())
                .tokenPath(endpoints.token())
                .jwksPath(endpoints.jwks())
                .clientId(provider.clientId())
                .credentials(provider.clientSecret())
                .applicationType(ApplicationType.WEB_APP)
                .authentication().scopes("email", "profile").nonceRequired(true).pkceRequired(true)
                        .cookiePath("/sso/" + slug).end()
                .build();
    }
}
