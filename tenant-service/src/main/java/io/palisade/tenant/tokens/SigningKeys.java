package io.palisade.tenant.tokens;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.crypto.SecretBox;
import io.palisade.common.tenancy.Roles;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.palisade.common.db.MigrationRun;

/**
 * The RSA keys that sign access tokens. Keys live in the database (private halves sealed with the master
 * key) so every instance signs with the same key and rotation needs no restart. Rotation is staged: a new
 * key is published at once but signs only after the activation delay, when every verifier has refreshed its
 * JWKS; retired keys stay published until every token they signed has expired.
 */
@ApplicationScoped
public class SigningKeys {

    public record ActiveKey(String kid, PrivateKey privateKey) {
    }

    private final AuditLog audit;
    private final SigningKeyRepository repository;
    private final SecretBox secretBox;
    private final TokenSettings settings;
    private final MigrationRun migrationRun;

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    /** Key ids already reported as not genuine (logged once each). */
    private final java.util.Set<String> rejected = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Counter rejectedKeys;

    SigningKeys(AuditLog audit, SigningKeyRepository repository, SecretBox secretBox, TokenSettings settings, MigrationRun migrationRun) {
        this.audit = audit;
        this.repository = repository;
        this.secretBox = secretBox;
        this.settings = settings;
        this.migrationRun = migrationRun;
    }

    @Inject
    void registerMetrics(MeterRegistry registry) {
        rejectedKeys = Counter.builder("palisade.signing.keys.rejected")
                .description("signing keys found in the table that do not unseal under the master key or do not match").register(registry);
    }

    private volatile ActiveKey active;
    private volatile JsonObject jwks = new JsonObject().put("keys", new JsonArray());

    void onStart(@Observes StartupEvent event) {
        if (migrationRun.active()) {
            return;
        }
        reload().chain(loaded -> loaded ? Uni.createFrom().voidItem() : createFirstKey()).await().atMost(Duration.ofSeconds(30));
    }

    @Scheduled(every = "30s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return reloadNow();
    }

    public ActiveKey active() {
        ActiveKey key = active;
        if (key == null) {
            throw new IllegalStateException("no signing key loaded");
        }
        return key;
    }

    public JsonObject jwks() {
        return jwks;
    }

    /** Stages a new key for the platform admin who asked; audited (platform.signing_key_rotated) in the same transaction. */
    public Uni<String> rotate(UUID admin, String clientIp) {
        NewKey key = generate();
        return repository.rotateTo(key.kid, key.publicJwk, key.sealed, settings.keyActivationDelay(),
                c -> audit.record(c, new AuditEvent(null, "platform.signing_key_rotated", new AuditEvent.Actor(admin, Roles.PLATFORM_ADMIN, null, clientIp),
                        "signing_key", key.kid, AuditEvent.SUCCESS, null,
                        new JsonObject().put("kid", key.kid).put("activatesInSeconds", settings.keyActivationDelay().toSeconds()), null)))
                .chain(this::reload).replaceWith(key.kid);
    }

    /** Re-reads the keys now (instances also do so every 30 seconds). */
    public Uni<Void> reloadNow() {
        return reload().replaceWithVoid();
    }

    private Uni<Void> createFirstKey() {
        NewKey key = generate();
        return repository.insertFirst(key.kid, key.publicJwk, key.sealed).chain(this::reload).replaceWithVoid();
    }

    private Uni<Boolean> reload() {
        // Keep retired keys published for a token lifetime plus clock-skew margin.
        return repository.published(settings.accessTtl().plusMinutes(5)).map(keys -> {
            JsonArray published = new JsonArray();
            ActiveKey newest = null;
            for (SigningKeyRepository.StoredKey key : keys) {
                RSAPrivateCrtKey privateKey = verified(key);
                if (privateKey == null) {
                    continue;
                }
                published.add(publicJwk(key.kid(), privateKey));
                if (key.active() && newest == null) {
                    newest = new ActiveKey(key.kid(), privateKey);
                }
            }
            jwks = new JsonObject().put("keys", published);
            if (newest == null) {
                return false;
            }
            if (active == null || !active.kid().equals(newest.kid())) {
                active = newest;
            }
            return true;
        });
    }

    /**
     * The key's private half, if the row is genuine: it unseals under the master key (bound to its kid) and the stored
     * public key is its own. A row written by anyone without the master key (one SQL bug in this service) unseals to
     * nothing, so it is never published nor used: nobody can forge tokens by adding a key to the table.
     */
    private RSAPrivateCrtKey verified(SigningKeyRepository.StoredKey key) {
        try {
            PrivateKey privateKey = privateKey(secretBox.decrypt(key.privateKeySealed(), associatedData(key.kid())));
            if (privateKey instanceof RSAPrivateCrtKey rsa && publicJwk(key.kid(), rsa).equals(key.publicJwk())) {
                return rsa;
            }
            reject(key.kid(), "its public key is not the sealed private key's");
        } catch (RuntimeException e) {
            reject(key.kid(), "its private key does not unseal under the master key (" + e.getClass().getSimpleName() + ")");
        }
        return null;
    }

    private void reject(String kid, String why) {
        if (rejected.add(kid)) {
            LOG.errorf("signing key %s is neither published nor used: %s. Someone wrote it without the master key.", kid, why);
            rejectedKeys.increment();
        }
    }

    /** The public JWK of a key: what the JWKS publishes, rebuilt from the private half, never taken from the table. */
    private static JsonObject publicJwk(String kid, RSAPrivateCrtKey key) {
        return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
                .put("n", base64Url(key.getModulus())).put("e", base64Url(key.getPublicExponent()));
    }

    private record NewKey(String kid, JsonObject publicJwk, String sealed) {
    }

    private NewKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            String kid = UUID.randomUUID().toString();
            JsonObject jwk = publicJwk(kid, (RSAPrivateCrtKey) pair.getPrivate());
            String sealed = secretBox.encrypt(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()), associatedData(kid));
            return new NewKey(kid, jwk, sealed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String associatedData(String kid) {
        return "tenancy.signing_keys:" + kid;
    }

    private static PrivateKey privateKey(String pkcs8Base64) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8Base64)));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("stored signing key is unreadable", e);
        }
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
