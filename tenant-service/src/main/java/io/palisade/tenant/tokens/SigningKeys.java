package io.palisade.tenant.tokens;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

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

    @Inject
    AuditLog audit;

    @Inject
    SigningKeyRepository repository;

    @Inject
    SecretBox secretBox;

    @ConfigProperty(name = "palisade.tokens.access-ttl", defaultValue = "PT10M")
    Duration accessTtl;

    /** Longer than the verifiers' JWKS refresh interval, so every verifier knows a key before it signs. */
    @ConfigProperty(name = "palisade.tokens.key-activation-delay", defaultValue = "PT6M")
    Duration activationDelay;

    private volatile ActiveKey active;
    private volatile JsonObject jwks = new JsonObject().put("keys", new JsonArray());

    @Inject
    MigrationRun migrationRun;

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

    /** Stages a new key: published now, signing after the activation delay. Returns its key id. */
    /** Stages a new key for the platform admin who asked; audited (platform.signing_key_rotated) in the same transaction. */
    public Uni<String> rotate(UUID admin, String clientIp) {
        NewKey key = generate();
        return repository.rotateTo(key.kid, key.publicJwk, key.sealed, activationDelay,
                c -> audit.record(c, new AuditEvent(null, "platform.signing_key_rotated", new AuditEvent.Actor(admin, Roles.PLATFORM_ADMIN, null, clientIp),
                        "signing_key", key.kid, AuditEvent.SUCCESS, null,
                        new JsonObject().put("kid", key.kid).put("activatesInSeconds", activationDelay.toSeconds()), null)))
                .chain(this::reload).replaceWith(key.kid);
    }

    /** Re-reads the keys now (instances also do so every 30 seconds). */
    public Uni<Void> reloadNow() {
        return reload().replaceWithVoid();
    }

    private Uni<Void> createFirstKey() {
        NewKey key = generate();
        return repository.insert(key.kid, key.publicJwk, key.sealed).chain(this::reload).replaceWithVoid();
    }

    private Uni<Boolean> reload() {
        // Keep retired keys published for a token lifetime plus clock-skew margin.
        return repository.published(accessTtl.plusMinutes(5)).map(keys -> {
            JsonArray published = new JsonArray();
            keys.forEach(k -> published.add(k.publicJwk()));
            jwks = new JsonObject().put("keys", published);
            List<SigningKeyRepository.StoredKey> activeKeys = keys.stream().filter(SigningKeyRepository.StoredKey::active).toList();
            if (activeKeys.isEmpty()) {
                return false;
            }
            SigningKeyRepository.StoredKey newest = activeKeys.get(0);
            if (active == null || !active.kid().equals(newest.kid())) {
                active = new ActiveKey(newest.kid(), privateKey(secretBox.decrypt(newest.privateKeySealed(), associatedData(newest.kid()))));
            }
            return true;
        });
    }

    private record NewKey(String kid, JsonObject publicJwk, String sealed) {
    }

    private NewKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            String kid = UUID.randomUUID().toString();
            RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
            JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
                    .put("n", base64Url(pub.getModulus())).put("e", base64Url(pub.getPublicExponent()));
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
