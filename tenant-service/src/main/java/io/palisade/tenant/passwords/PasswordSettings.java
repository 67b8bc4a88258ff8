package io.palisade.tenant.passwords;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The cost of the password hashes and the breached-password check. The defaults are here and nowhere else. */
@ConfigMapping(prefix = "palisade.passwords")
public interface PasswordSettings {

    /** bcrypt's cost of the login hash (PasswordHasher refuses less than 12 outside tests). */
    @WithDefault("12")
    int bcryptCost();

    /** PBKDF2 iterations of the password history's hashes (PasswordHistory refuses less than 600,000 outside tests). */
    @WithDefault("600000")
    int historyIterations();

    /** The k-anonymity range API of breached passwords; the check is off without it. */
    Optional<URI> pwnedApi();

    /** How long a check may take before the password is taken unchecked. */
    @WithDefault("PT3S")
    Duration pwnedTimeout();
}
