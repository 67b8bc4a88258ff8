package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.Metrics;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** audit-service's metrics (docs/operations.md) are on /q/metrics and move when what they measure happens. */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class MetricsTest {

    private static String metrics() {
        return given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString();
    }

    @Test
    void ingestLagIsTimedAndTheArchiverShowsItsAges() throws Exception {
        double ingested = Metrics.counter(metrics(), "palisade_audit_ingest_lag_seconds_count");
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        LedgerTest.publish(tenant, "booking.cancelled", "b-metrics", UUID.randomUUID().toString());
        LedgerTest.await(() -> Metrics.counter(metrics(), "palisade_audit_ingest_lag_seconds_count") >= ingested + 1,
                "the entry's lag from change to ledger is timed");
        String metrics = metrics();
        assertTrue(Metrics.value(metrics, "palisade_audit_ingest_lag_seconds_max") >= 0);
        // Tests seal a segment every 25 records and sign every 2 s: both ages stay small while the archiver works.
        LedgerTest.await(() -> Metrics.value(metrics(), "palisade_audit_checkpoint_age_seconds") < 30, "checkpoints are signed");
        assertTrue(Metrics.value(metrics, "palisade_audit_archive_last_seal_age_seconds") >= 0, "the archive's last seal is shown");
        assertTrue(Metrics.value(metrics, "palisade_events_lag", "group", "audit-service") >= 0, "the ledger consumer's lag is shown");
    }
}
