package io.palisade.common.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * Outside development and tests (any profile but dev, test and dev-stack) a service refuses to start with any of the
 * local platform's dev-only secrets: every {@code palisade.*} value that holds {@code dev-only-}, plainly,
 * base64-encoded, or base64-encoded behind a prefix such as {@code whsec_}.
 */
@ApplicationScoped
public class ProductionSecretsGuard {

    static final String DEV_ONLY = "dev-only-";

    /** Before every other startup observer: nothing may act (say, create the platform admin) with a dev-only secret. */
    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        requireNoDevOnlySecrets();
    }

    /** Throws in production when any palisade.* value is a dev-only secret; also run before migrations (MigrationGuard). */
    public static void requireNoDevOnlySecrets() {
        if (!production(LaunchMode.current(), ConfigUtils.getProfiles())) {
            return;
        }
        List<String> offending = devOnlySecrets(ConfigProvider.getConfig());
        if (!offending.isEmpty()) {
            throw new IllegalStateException("refusing to start in production with dev-only secrets in " + offending
                    + ": set real values through the environment or a mounted secret");
        }
    }

    /** Whether the guards of production apply: a packaged run in any profile but those of development and tests. */
    public static boolean production(LaunchMode mode, List<String> profiles) {
        return mode == LaunchMode.NORMAL && profiles.stream().noneMatch(NOT_PRODUCTION::contains);
    }

    private static final java.util.Set<String> NOT_PRODUCTION = java.util.Set.of("dev", "test", "dev-stack");

    public static List<String> devOnlySecrets(Config config) {
        List<String> offending = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            if (!name.startsWith("palisade.")) {
                continue;
            }
            String value = config.getOptionalValue(name, String.class).orElse("");
            if (value.contains(DEV_ONLY) || decodesToDevOnly(value) || decodesToDevOnly(value.substring(value.indexOf('_') + 1))) {
                offending.add(name);
            }
        }
        return offending;
    }

    private static boolean decodesToDevOnly(String value) {
        try {
            return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8).contains(DEV_ONLY);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }
}
