package io.palisade.webhook;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.MalformedInput;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Every operation answers malformed requests with a clear problem+json and takes in nothing altered ({@link MalformedInput}). */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class MalformedInputTest {

    @Test
    void everyOperationRefusesMalformedInputWithAProblem() {
        MalformedInput.assertEveryOperationRefusesItCleanly("http://localhost:" + RestAssured.port, List.of());
    }
}
