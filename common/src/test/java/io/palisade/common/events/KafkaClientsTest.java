package io.palisade.common.events;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Production refuses a broker that does not know who is producing, unless the operator says it is protected otherwise. */
class KafkaClientsTest {

    @Test
    void plaintextAndServerOnlyTlsAreRefusedWithTheReason() {
        for (Map<String, Object> settings : java.util.List.<Map<String, Object>>of(Map.of("bootstrap.servers", "kafka:9092"),
                Map.of("security.protocol", "PLAINTEXT"), Map.of("security.protocol", "SSL"))) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> KafkaClients.requireAuthenticated(settings, false),
                    settings.toString());
            assertTrue(refused.getMessage().contains("palisade.kafka.allow-plaintext=true"), refused.getMessage());
            assertTrue(refused.getMessage().contains("confirm a booking without paying"), refused.getMessage());
        }
    }

    @Test
    void saslMutualTlsOrAnExplicitExceptionStart() {
        assertDoesNotThrow(() -> KafkaClients.requireAuthenticated(Map.of("security.protocol", "SASL_SSL"), false));
        assertDoesNotThrow(() -> KafkaClients.requireAuthenticated(Map.of("security.protocol", "sasl_plaintext"), false));
        assertDoesNotThrow(() -> KafkaClients.requireAuthenticated(Map.of("security.protocol", "SSL", "ssl.keystore.location", "/tls/user.p12"), false));
        assertDoesNotThrow(() -> KafkaClients.requireAuthenticated(Map.of("security.protocol", "PLAINTEXT"), true));
    }
}
