package io.palisade.audit.ledger;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.palisade.audit.verifier.ArchiveVerifier;
import io.palisade.audit.checkpoints.CheckpointKeys;
import io.palisade.audit.checkpoints.CheckpointRepository;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** A tenant's owners and admins read their own tenant's ledger (RLS) and check its hash chain. */
@ApplicationScoped
public class LedgerService {

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final LedgerRepository ledger;
    private final AuditLog audit;
    private final JsonWebToken token;
    private final CheckpointRepository checkpoints;
    private final CheckpointKeys keys;

    LedgerService(CurrentTenant currentTenant, TenantTransactions tx, LedgerRepository ledger, AuditLog audit, JsonWebToken token,
            CheckpointRepository checkpoints, CheckpointKeys keys) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.ledger = ledger;
        this.audit = audit;
        this.token = token;
        this.checkpoints = checkpoints;
        this.keys = keys;
    }

    public Uni<Page<LedgerRepository.Entry>> list(LedgerRepository.Filter filter, String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> ledger.list(c, filter, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, e -> e, e -> new Cursor(e.occurredAt(), e.eventId())));
    }

    /**
     * Every tenant's entries for a platform admin (the database admits only a user it knows as platform admin, in
     * a transaction without a tenant). The read is itself audited, in the same transaction, as a platform event.
     */
    public Uni<Page<LedgerRepository.Entry>> platformFeed(LedgerRepository.Filter filter, String cursor, int limit, String clientIp) {
        UUID admin = UUID.fromString(token.getSubject());
        UUID tenantId = filter.tenantId();
        Cursor after = Cursor.decode(cursor);
        return tx.inScope(DbScope.user(admin), c -> ledger.list(c, filter, after.createdAt(), after.id(), limit + 1)
                .call(rows -> audit.record(c, new AuditEvent(null, "platform.audit_feed_read", new AuditEvent.Actor(admin, Roles.PLATFORM_ADMIN,
                        null, clientIp), "audit_ledger", tenantId == null ? "all" : tenantId.toString(), AuditEvent.SUCCESS, null, null,
                        new JsonObject().put("tenantId", tenantId == null ? null : tenantId.toString()).put("action", filter.action())
                                .put("from", filter.from() == null ? null : filter.from().toString()).put("to", filter.to() == null ? null : filter.to().toString())
                                .put("cursor", cursor).put("returned", Math.min(rows.size(), limit))))))
                .map(rows -> Page.of(rows, limit, e -> e, e -> new Cursor(e.occurredAt(), e.eventId())));
    }

    /**
     * Recomputes the tenant's chain, then holds it against the signed checkpoints: a history rewritten with every
     * hash recomputed passes the first check but not the second, since no one can sign the new heads without the
     * checkpoint key. Reports the earliest problem either check finds.
     */
    public Uni<LedgerRepository.Verification> verify() {
        return tx.inTenant(currentTenant.get(), c -> ledger.verify(c)
                .flatMap(chain -> checkpoints.withLedgerHashes(c).map(held -> againstCheckpoints(chain, held))));
    }

    private LedgerRepository.Verification againstCheckpoints(LedgerRepository.Verification chain, List<CheckpointRepository.Held> held) {
        long checked = 0;
        for (CheckpointRepository.Held h : held) {
            CheckpointRepository.Checkpoint cp = h.checkpoint();
            if (chain.brokenAt() != null && chain.brokenAt() <= cp.chainSeq()) {
                break;
            }
            String problem = null;
            if (!keys.verify(cp.keyId(), ArchiveVerifier.checkpointStatement(cp.chainKey(), cp.chainSeq(), cp.headHash(), cp.signedAt()), cp.signature())) {
                problem = "the checkpoint of " + cp.signedAt() + " has no valid signature";
            } else if (h.ledgerHash() == null) {
                problem = "the entry the checkpoint of " + cp.signedAt() + " signed is missing";
            } else if (!h.ledgerHash().equals(cp.headHash())) {
                problem = "the entry differs from the checkpoint signed at " + cp.signedAt() + ": history was rewritten";
            }
            if (problem != null) {
                return new LedgerRepository.Verification(chain.entries(), checked, cp.chainSeq(), h.eventId(), problem);
            }
            checked++;
        }
        return new LedgerRepository.Verification(chain.entries(), checked, chain.brokenAt(), chain.eventId(), chain.problem());
    }
}
