package io.palisade.audit.checkpoints;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.audit.verifier.ArchiveVerifier;

/**
 * The Ed25519 key that signs checkpoints. It comes from configuration (a 32-byte seed, base64: the environment
 * or a mounted secret) and is never written to the database. Public keys of earlier signing keys can be listed so
 * checkpoints signed before a rotation still verify.
 */
@ApplicationScoped
public class CheckpointKeys {

    public record PublicKey(String keyId, String algorithm, String publicKey, boolean current) {
    }

    private final KeyPair signing;
    private final String publicKeyBase64;
    private final Map<String, String> verifying = new LinkedHashMap<>();

    CheckpointKeys(@ConfigProperty(name = "palisade.audit.checkpoint-key") String seed,
            @ConfigProperty(name = "palisade.audit.checkpoint-previous-public-keys") Optional<List<String>> previous) {
        byte[] seedBytes = Base64.getDecoder().decode(seed.trim());
        if (seedBytes.length != 32) {
            throw new IllegalStateException("palisade.audit.checkpoint-key must be 32 random bytes, base64");
        }
        signing = keyPairFromSeed(seedBytes);
        publicKeyBase64 = Base64.getEncoder().encodeToString(signing.getPublic().getEncoded());
        verifying.put(ArchiveVerifier.keyId(publicKeyBase64), publicKeyBase64);
        previous.orElse(List.of()).forEach(key -> verifying.put(ArchiveVerifier.keyId(key.trim()), key.trim()));
    }

    /** Ed25519's private key is 32 random bytes: drawing them from the seed gives the same pair every time. */
    private static KeyPair keyPairFromSeed(byte[] seed) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, bytes.length);
                }
            });
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no Ed25519 in this JDK", e);
        }
    }

    public String currentKeyId() {
        return ArchiveVerifier.keyId(publicKeyBase64);
    }

    public String sign(String statement) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(signing.getPrivate());
            signer.update(statement.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("checkpoint signing failed", e);
        }
    }

    /** Whether a signature verifies with the key it names (the current or a listed earlier one). */
    public boolean verify(String keyId, String statement, String signature) {
        String key = verifying.get(keyId);
        return key != null && ArchiveVerifier.signatureValid(key, statement, signature);
    }

    public List<PublicKey> publicKeys() {
        List<PublicKey> keys = new ArrayList<>();
        verifying.forEach((id, key) -> keys.add(new PublicKey(id, "Ed25519", key, id.equals(currentKeyId()))));
        return keys;
    }
}
