package io.palisade.audit.checkpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The checkpoint key is a seed in configuration: the same seed must give the same key and the same signatures on every
 * JDK, or checkpoints signed before an upgrade would no longer verify. RFC 8032, section 7.1, test 1.
 */
class CheckpointKeysTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theSeedGivesRfc8032sKeyAndSignature() {
        byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        CheckpointKeys keys = new CheckpointKeys(Base64.getEncoder().encodeToString(seed), Optional.empty());
        byte[] publicKey = Base64.getDecoder().decode(keys.publicKeys().get(0).publicKey());
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HEX.formatHex(Arrays.copyOfRange(publicKey, publicKey.length - 32, publicKey.length)), "the public key (X.509, last 32 bytes)");
        String signature = keys.sign("");
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                HEX.formatHex(Base64.getDecoder().decode(signature)), "the signature of the empty message");
        assertTrue(keys.verify(keys.currentKeyId(), "", signature));
    }
}
