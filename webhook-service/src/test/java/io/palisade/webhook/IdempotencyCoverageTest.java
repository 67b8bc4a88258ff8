package io.palisade.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.devstack.testing.IdempotencyCoverage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every POST of webhook-service takes an Idempotency-Key. */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class IdempotencyCoverageTest {

    @Test
    void everyPostIsIdempotent() {
        IdempotencyCoverage.Report report = IdempotencyCoverage.of(Idempotent.class);
        assertEquals(Set.of(), report.missing(Set.of()), "POST endpoints without @Idempotent");
    }
}
