package io.palisade.common.security;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * Lockout, hold limits and the audit log use the client's address: taken from X-Forwarded-For / Forwarded only
 * when the connection comes from a proxy named in {@code quarkus.http.proxy.trusted-proxies}. Quarkus trusts every
 * sender of those headers when forwarding is on and no proxy is named, which would let anyone pick the address that
 * gets locked or limited: outside tests that is refused at start.
 */
@ApplicationScoped
public class TrustedProxiesGuard {

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (ProductionSecretsGuard.production(LaunchMode.current(), ConfigUtils.getProfiles())) {
            problem(ConfigProvider.getConfig()).ifPresent(problem -> {
                throw new IllegalStateException(problem);
            });
        }
    }

    static Optional<String> problem(Config config) {
        boolean forwarding = config.getOptionalValue("quarkus.http.proxy.proxy-address-forwarding", Boolean.class).orElse(false);
        boolean trustsNamedProxies = config.getOptionalValue("quarkus.http.proxy.trusted-proxies", String.class)
                .filter(value -> !value.isBlank()).isPresent();
        if (forwarding && !trustsNamedProxies) {
            return Optional.of("quarkus.http.proxy.proxy-address-forwarding is on but quarkus.http.proxy.trusted-proxies names no"
                    + " proxy: every client could choose its own address. Name the ingress' addresses (docs/operations.md).");
        }
        return Optional.empty();
    }
}
