package io.palisade.tenant;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.MalformedInput;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Every operation answers malformed requests with a clear problem+json and takes in nothing altered ({@link MalformedInput}). */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class MalformedInputTest {

    @Test
    void everyOperationRefusesMalformedInputWithAProblem() {
        Api.TestTenant tenant = Api.newTenant(null);
        MalformedInput.assertEveryOperationRefusesItCleanly("http://localhost:" + RestAssured.port, tenant.ownerToken(),
                Map.of("slug", tenant.slug(), "provider", "mailchimp"), List.of());
    }
}
