package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.TestEvents;
import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A committed change's events leave when it commits, not at the relay's next poll: here the poll comes once an hour,
 * so only the wake after the commit can bring them to Kafka within the wait.
 */
@QuarkusTest
@TestProfile(RelayOnCommitTest.HourlyPoll.class)
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class RelayOnCommitTest {

    public static class HourlyPoll implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("palisade.outbox.poll-interval", "1h");
        }
    }

    @Test
    void aCommittedChangesEventsLeaveWithoutWaitingForThePoll() {
        TestTenant tenant = Api.newTenant("BOOKINGS_READ");
        bearer(tenant.ownerToken()).body(Map.of("name", "Renamed on commit")).patch("/tenant").then().statusCode(200);
        Map<String, Object> renamed = TestEvents.await("palisade.tenancy.events", tenant.id().toString(), "tenant.renamed");
        assertEquals("Renamed on commit", ((Map<?, ?>) renamed.get("data")).get("name"));
        TestEvents.await("palisade.audit", tenant.id().toString(), "tenant.renamed");
    }
}
