package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.audit.verifier.ArchiveVerifier;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Signed checkpoints: an outsider holding the public key checks an export against them, and a history rewritten
 * with every hash recomputed (which the chain check alone cannot see) is caught by them.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class CheckpointTest {

    private static List<Map<String, Object>> checkpoints(TestTenancy.Tenant tenant) {
        return given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/checkpoints").then().statusCode(200).extract().path("");
    }

    /** Three entries, and a signed checkpoint of the third. */
    private static TestTenancy.Tenant tenantWithCheckpoint() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        for (int i = 1; i <= 3; i++) {
            LedgerTest.publish(tenant, "booking.cancelled", "b-" + i, UUID.randomUUID().toString());
        }
        LedgerTest.await(() -> given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/entries").then().extract()
                .path("items.size()").equals(3), "three entries");
        LedgerTest.await(() -> checkpoints(tenant).stream().anyMatch(cp -> ((Number) cp.get("chainSeq")).longValue() == 3),
                "a checkpoint of entry 3");
        return tenant;
    }

    /** Entry 2 says something else; 2 and 3 get hashes and links that fit, so the chain itself holds again. */
    private static void rewriteFromEntry2(Statement st, TestTenancy.Tenant tenant) throws SQLException {
        st.executeUpdate("update audit.ledger set entry = jsonb_set(entry, '{target,id}', '\"b-forged\"') where tenant_id = '" + tenant.id()
                + "' and chain_seq = 2");
        for (int seq = 2; seq <= 3; seq++) {
            st.executeUpdate("update audit.ledger l set prev_hash = p.hash, hash = audit.entry_hash(p.hash, l.chain_key, l.chain_seq, l.event_id, l.entry)"
                    + " from audit.ledger p where p.chain_key = l.chain_key and p.chain_seq = l.chain_seq - 1 and l.tenant_id = '" + tenant.id()
                    + "' and l.chain_seq = " + seq);
        }
    }

    @Test
    void anOutsiderVerifiesAnExportWithThePublicKeyAlone() throws Exception {
        TestTenancy.Tenant tenant = tenantWithCheckpoint();
        List<Map<String, Object>> keys = given().get("/audit/checkpoint-keys").then().statusCode(200).extract().path("");
        assertEquals(1, keys.size());
        String publicKey = (String) keys.get(0).get("publicKey");
        assertEquals(keys.get(0).get("keyId"), ArchiveVerifier.keyId(publicKey));

        List<Map<String, Object>> entries = given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/entries").then()
                .extract().path("items");
        entries.sort((x, y) -> Long.compare(((Number) x.get("chainSeq")).longValue(), ((Number) y.get("chainSeq")).longValue()));
        String previous = null;
        Map<Long, String> hashes = new java.util.HashMap<>();
        for (Map<String, Object> e : entries) {
            long seq = ((Number) e.get("chainSeq")).longValue();
            String hash = ArchiveVerifier.entryHash(previous, tenant.id().toString(), seq, (String) e.get("eventId"), (String) e.get("entryText"));
            assertEquals(e.get("hash"), hash, "entry " + seq + " recomputed from its exported text");
            hashes.put(seq, hash);
            previous = hash;
        }
        for (Map<String, Object> cp : checkpoints(tenant)) {
            long seq = ((Number) cp.get("chainSeq")).longValue();
            assertEquals(hashes.get(seq), cp.get("headHash"));
            String statement = ArchiveVerifier.checkpointStatement((String) cp.get("chainKey"), seq, (String) cp.get("headHash"), (String) cp.get("signedAt"));
            assertTrue(ArchiveVerifier.signatureValid(publicKey, statement, (String) cp.get("signature")), "checkpoint " + seq + " verifies");
            assertFalse(ArchiveVerifier.signatureValid(publicKey, statement.replace(tenant.id().toString(), UUID.randomUUID().toString()),
                    (String) cp.get("signature")), "the signature covers the chain it names");
        }
        given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/verify").then().body("brokenAt", nullValue())
                .body("entries", equalTo(3));
    }

    @Test
    void aRewrittenHistoryWithRecomputedHashesIsCaughtByTheCheckpoints() throws Exception {
        TestTenancy.Tenant tenant = tenantWithCheckpoint();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            st.execute("alter table audit.ledger disable trigger ledger_no_update");
            rewriteFromEntry2(st, tenant);
            st.execute("alter table audit.ledger enable trigger ledger_no_update");
        }
        given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/verify").then().statusCode(200)
                .body("brokenAt", equalTo(3)).body("problem", containsString("history was rewritten"));

        // Moving the checkpoint to the new head does not help: its signature no longer verifies.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            st.execute("alter table audit.checkpoints disable trigger checkpoints_no_update");
            st.executeUpdate("update audit.checkpoints cp set head_hash = l.hash from audit.ledger l where l.chain_key = cp.chain_key"
                    + " and l.chain_seq = cp.chain_seq and cp.tenant_id = '" + tenant.id() + "'");
            st.execute("alter table audit.checkpoints enable trigger checkpoints_no_update");
        }
        given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/verify").then().statusCode(200)
                .body("brokenAt", equalTo(3)).body("problem", containsString("no valid signature"));
    }

    @Test
    void aRewrittenHistoryIsNeverSignedEvenWithItsCheckpointsRemoved() throws Exception {
        TestTenancy.Tenant tenant = tenantWithCheckpoint();
        String rewrittenHead;
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            st.execute("alter table audit.ledger disable trigger ledger_no_update");
            st.execute("alter table audit.checkpoints disable trigger checkpoints_no_update");
            st.executeUpdate("delete from audit.checkpoints where tenant_id = '" + tenant.id() + "'");
            rewriteFromEntry2(st, tenant);
            st.executeUpdate("update audit.chain_heads h set last_hash = l.hash from audit.ledger l where l.chain_key = h.chain_key"
                    + " and l.chain_seq = h.last_seq and h.chain_key = '" + tenant.id() + "'");
            st.execute("alter table audit.checkpoints enable trigger checkpoints_no_update");
            st.execute("alter table audit.ledger enable trigger ledger_no_update");
            try (java.sql.ResultSet rs = st.executeQuery("select hash from audit.ledger where tenant_id = '" + tenant.id() + "' and chain_seq = 3")) {
                rs.next();
                rewrittenHead = rs.getString(1);
            }
        }
        Thread.sleep(5000);
        assertTrue(checkpoints(tenant).stream().noneMatch(cp -> rewrittenHead.equals(cp.get("headHash"))),
                "the rewritten head is never signed: the checkpointer signs what the archive took in");
        assertEquals(List.of(), checkpoints(tenant), "and the archived head no longer matches the ledger, so nothing is signed");
    }

    @Test
    void checkpointsAreAppendOnlyEvenForTheSchemaOwner() throws Exception {
        TestTenancy.Tenant tenant = tenantWithCheckpoint();
        try (Connection c = PalisadeTestStack.get().connectAs("audit_owner"); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeUpdate("update audit.checkpoints set signature = 'x' where tenant_id = '" + tenant.id() + "'"));
            assertThrows(SQLException.class, () -> st.executeUpdate("delete from audit.checkpoints where tenant_id = '" + tenant.id() + "'"));
            assertThrows(SQLException.class, () -> st.executeUpdate("truncate audit.checkpoints"));
        }
        try (Connection c = PalisadeTestStack.get().connectAs("audit_service"); Statement st = c.createStatement()) {
            // The app role, under the signer's scope for this chain, cannot store a checkpoint of its own making for a head
            // the ledger does not have (V8: the insert policy wants the ledger's entry at that position with that hash).
            c.setAutoCommit(false);
            st.execute("select set_config('app.tenant_id', '" + tenant.id() + "', true), set_config('app.principal', 'worker', true)");
            SQLException refused = assertThrows(SQLException.class, () -> st.executeUpdate("insert into audit.checkpoints (id, chain_key,"
                    + " tenant_id, chain_seq, head_hash, signed_at, key_id, signature) values (gen_random_uuid(), '" + tenant.id() + "', '"
                    + tenant.id() + "', 3, 'not-the-hash', now(), 'k', 's')"));
            assertEquals("42501", refused.getSQLState());
            c.rollback();
        }
        given().header("Authorization", "Bearer " + tenant.staffToken()).get("/audit/checkpoints").then().statusCode(403);
    }
}
