package io.palisade.tenant.tokens;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long the tokens tenant-service issues last, and when a new signing key starts signing. The defaults are here and nowhere else. */
@ConfigMapping(prefix = "palisade.tokens")
public interface TokenSettings {

    /** A staff access token's life (capped by its session's end). */
    @WithDefault("PT10M")
    Duration accessTtl();

    /** A guest's access token's life. */
    @WithDefault("PT15M")
    Duration guestTtl();

    /** A session's refresh token's life. */
    @WithDefault("P14D")
    Duration refreshTtl();

    /** Longer than the verifiers' JWKS refresh interval, so every verifier knows a key before it signs. */
    @WithDefault("PT6M")
    Duration keyActivationDelay();
}
