package io.palisade.tenant.passwords;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Have I Been Pwned's range API, by k-anonymity: only the first 5 hex characters of the password's SHA-1
 * leave the process; the answer lists every known suffix with that prefix (padded with decoys), and the
 * match happens here. Off unless {@code palisade.passwords.pwned-api} is set. If the API cannot be reached
 * the offline corpus still applies and the password is not refused for it (the outage is logged).
 */
@ApplicationScoped
public class PwnedPasswords {

    private static final Logger LOG = Logger.getLogger(PwnedPasswords.class);

    private final PasswordSettings settings;

    PwnedPasswords(PasswordSettings settings) {
        this.settings = settings;
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public boolean enabled() {
        return settings.pwnedApi().isPresent();
    }

    /** True if the API knows the password from a breach; false if not, or if the API could not answer. */
    public Uni<Boolean> isPwned(String password) {
        if (settings.pwnedApi().isEmpty()) {
            return Uni.createFrom().item(false);
        }
        String sha1 = sha1Hex(password);
        String prefix = sha1.substring(0, 5);
        String suffix = sha1.substring(5);
        HttpRequest request = HttpRequest.newBuilder(settings.pwnedApi().get().resolve("range/" + prefix)).timeout(settings.pwnedTimeout())
                .header("Add-Padding", "true").header("User-Agent", "palisade-tenant-service").GET().build();
        return Uni.createFrom().completionStage(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        LOG.warnf("Pwned Passwords answered %d; only the offline corpus was checked", response.statusCode());
                        return false;
                    }
                    return listed(response.body(), suffix);
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Pwned Passwords could not be reached (%s); only the offline corpus was checked",
                            e.getClass().getSimpleName());
                    return false;
                });
    }

    /** Lines are {@code SUFFIX:COUNT}; padding lines have count 0. */
    static boolean listed(String body, String suffix) {
        return body.lines().map(String::trim).anyMatch(line -> {
            int colon = line.indexOf(':');
            return colon > 0 && line.substring(0, colon).equalsIgnoreCase(suffix) && !"0".equals(line.substring(colon + 1).trim());
        });
    }

    static String sha1Hex(String password) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
