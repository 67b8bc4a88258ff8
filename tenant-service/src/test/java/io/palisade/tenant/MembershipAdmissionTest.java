package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.DatabaseIsolationTest.app;
import static io.palisade.tenant.DatabaseIsolationTest.count;
import static io.palisade.tenant.DatabaseIsolationTest.scope;
import static io.palisade.tenant.DatabaseIsolationTest.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every policy's membership check reads one row, the membership's admitted, which triggers keep current with its own,
 * its tenant's and its user's status (V30). What that must not change: a suspended tenant's or a disabled user's scope
 * reads nothing, and no writer, nor a status change racing a new membership, leaves a membership admitted that one of
 * the three rows refuses.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class MembershipAdmissionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aSuspendedTenantsMembersReadNothingUntilItIsActiveAgain() throws SQLException {
        TestTenant t = Api.newTenant(null);
        assertEquals(2, membershipsSeenBy(t.id(), t.ownerId()));
        superuser("update tenancy.tenants set status = 'suspended' where id = ?", t.id());
        assertEquals(0, membershipsSeenBy(t.id(), t.ownerId()));
        assertEquals(0, membershipsSeenBy(t.id(), t.staffId()));
        superuser("update tenancy.tenants set status = 'active' where id = ?", t.id());
        assertEquals(2, membershipsSeenBy(t.id(), t.staffId()));
    }

    @Test
    void aDisabledUserReadsNothingInAnyTenantUntilEnabledAgain() throws SQLException {
        TestTenant t = Api.newTenant(null);
        TestTenant other = Api.newTenant(null);
        superuser("insert into tenancy.memberships (tenant_id, user_id, role) values (?, ?, 'staff')", other.id(), t.staffId());
        assertEquals(3, membershipsSeenBy(other.id(), t.staffId()));
        superuser("update tenancy.users set status = 'disabled' where id = ?", t.staffId());
        assertEquals(0, membershipsSeenBy(t.id(), t.staffId()));
        assertEquals(0, membershipsSeenBy(other.id(), t.staffId()));
        assertEquals(2, membershipsSeenBy(t.id(), t.ownerId()), "the others still act");
        superuser("update tenancy.users set status = 'active' where id = ?", t.staffId());
        assertEquals(2, membershipsSeenBy(t.id(), t.staffId()));
        assertEquals(3, membershipsSeenBy(other.id(), t.staffId()));
    }

    @Test
    void noWriterAdmitsAMemberByWritingAdmitted() throws SQLException {
        TestTenant t = Api.newTenant(null);
        bearer(t.ownerToken()).body(Map.of("status", "suspended")).patch("/members/" + t.staffId()).then().statusCode(200);
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, t.id(), t.ownerId());
            assertEquals(1, update(c, "update tenancy.memberships set admitted = true where user_id = '" + t.staffId() + "'"));
            c.commit();
        }
        assertFalse(admitted(t.id(), t.staffId()));
        assertEquals(0, membershipsSeenBy(t.id(), t.staffId()));
    }

    @Test
    void aMembershipWrittenWhileItsTenantIsSuspendedWaitsAndIsNotAdmitted() throws Exception {
        raceNewMembership("update tenancy.tenants set status = 'suspended' where id = ?", true, true);
    }

    @Test
    void aTenantSuspendedWhileAMembershipIsWrittenWaitsAndUnadmitsIt() throws Exception {
        raceNewMembership("update tenancy.tenants set status = 'suspended' where id = ?", true, false);
    }

    @Test
    void aMembershipWrittenWhileItsUserIsDisabledWaitsAndIsNotAdmitted() throws Exception {
        raceNewMembership("update tenancy.users set status = 'disabled' where id = ?", false, true);
    }

    @Test
    void aUserDisabledWhileAMembershipIsWrittenWaitsAndUnadmitsIt() throws Exception {
        raceNewMembership("update tenancy.users set status = 'disabled' where id = ?", false, false);
    }

    /**
     * An owner adds a new user to the tenant (as accepting an invitation does) while the tenant or that user is
     * refused in another transaction, one of the two first: the second must wait for the first, whichever it is, and
     * the membership must end up not admitted. Without the wait, a membership written first is missed by the status
     * change's trigger, and one written second reads the status before it is committed: both would admit.
     */
    private static void raceNewMembership(String refusal, boolean refuseTenant, boolean refusalFirst) throws Exception {
        TestTenant t = Api.newTenant(null);
        UUID newcomer = newUser();
        boolean waited;
        try (Connection refusing = PalisadeTestStack.get().connectAsSuperuser(); Connection adding = app()) {
            refusing.setAutoCommit(false);
            adding.setAutoCommit(false);
            scope(adding, t.id(), t.ownerId());
            Connection first = refusalFirst ? refusing : adding;
            Connection second = refusalFirst ? adding : refusing;
            Runnable refuse = () -> execute(refusing, refusal, refuseTenant ? t.id() : newcomer);
            Runnable add = () -> execute(adding, "insert into tenancy.memberships (tenant_id, user_id, role) values (?, ?, 'staff')",
                    t.id(), newcomer);
            (refusalFirst ? refuse : add).run();
            int secondPid = backendPid(second);
            CompletableFuture<Void> secondWrite = CompletableFuture.runAsync(refusalFirst ? add : refuse);
            waited = waitsForALock(secondPid, secondWrite);
            first.commit();
            secondWrite.get();
            second.commit();
        }
        assertFalse(admitted(t.id(), newcomer), "admitted, though its " + (refuseTenant ? "tenant" : "user") + " is refused");
        assertTrue(waited, "the second writer waits for the first");
    }

    private static boolean waitsForALock(int pid, CompletableFuture<Void> write) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!write.isDone() && Instant.now().isBefore(deadline)) {
            if (PalisadeTestStack.get().count("select count(*) from pg_stat_activity where pid = ? and wait_event_type = 'Lock'", pid) > 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static long membershipsSeenBy(UUID tenant, UUID user) throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, tenant, user);
            long seen = count(c, "tenancy.memberships");
            c.rollback();
            return seen;
        }
    }

    private static boolean admitted(UUID tenant, UUID user) {
        return PalisadeTestStack.get().count("select count(*) from tenancy.memberships where tenant_id = ? and user_id = ? and admitted",
                tenant, user) == 1;
    }

    private static UUID newUser() throws SQLException {
        UUID id = UUID.randomUUID();
        superuser("insert into tenancy.users (id, email, display_name, password_hash) values (?, ?, 'Newcomer', 'x')", id,
                "newcomer-" + id + "@example.com");
        return id;
    }

    private static void superuser(String sql, Object... parameters) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            execute(c, sql, parameters);
        }
    }

    private static void execute(Connection c, String sql, Object... parameters) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
