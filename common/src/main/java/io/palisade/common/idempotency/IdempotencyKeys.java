package io.palisade.common.idempotency;

import java.time.Duration;
import java.util.UUID;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.crypto.SecretBox;
import io.palisade.common.db.Rows;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The idempotency records of the service's schema, one per tenant, principal and key. A claim is its own
 * short transaction, committed before the work starts, so a concurrent duplicate sees it at once.
 */
@ApplicationScoped
public class IdempotencyKeys {

    /** A completed response as stored and replayed. */
    public record StoredResponse(int status, String contentType, String location, byte[] body) {
    }

    public sealed interface Claim {
    }

    public record Claimed() implements Claim {
    }

    public record InFlight() implements Claim {
    }

    public record Mismatch() implements Claim {
    }

    public record Replay(StoredResponse response) implements Claim {
    }

    private final TenantTransactions tx;
    /** Stored responses may hold secrets shown once (an invitation link): sealed at rest like any secret. */
    private final SecretBox secretBox;
    private final String schema;
    private final Duration ttl;
    /** How long a claim blocks duplicates if its request never finishes (a crash): then a retry runs again. */
    private final Duration lease;

    IdempotencyKeys(TenantTransactions tx, SecretBox secretBox, @ConfigProperty(name = "palisade.db.schema") String schema,
            @ConfigProperty(name = "palisade.idempotency.ttl", defaultValue = "PT24H") Duration ttl,
            @ConfigProperty(name = "palisade.idempotency.lease", defaultValue = "PT2M") Duration lease) {
        this.tx = tx;
        this.secretBox = secretBox;
        this.schema = schema;
        this.ttl = ttl;
        this.lease = lease;
    }

    public Uni<Claim> claim(TenantContext caller, String key, String fingerprint) {
        return tx.inTenant(caller, c -> c.preparedQuery("insert into " + schema + ".idempotency_keys"
                + " (tenant_id, principal, key, fingerprint, state, locked_until, expires_at)"
                + " values ($1, $2, $3, $4, 'in_flight', now() + make_interval(secs => $5), now() + make_interval(secs => $6))"
                + " on conflict (tenant_id, principal, key) do nothing")
                .execute(Tuple.tuple().addUUID(caller.tenantId()).addUUID(caller.userId()).addString(key).addString(fingerprint)
                        .addLong(lease.toSeconds()).addLong(ttl.toSeconds()))
                .chain(inserted -> inserted.rowCount() == 1 ? Uni.createFrom().item(new Claimed())
                        : existing(c, caller, key, fingerprint)));
    }

    private Uni<Claim> existing(SqlConnection c, TenantContext caller, String key, String fingerprint) {
        return c.preparedQuery("select fingerprint, state, locked_until > now() as locked, expires_at <= now() as expired,"
                + " response_status, response_content_type, response_location, response_body_sealed from " + schema
                + ".idempotency_keys where tenant_id = $1 and principal = $2 and key = $3 for update")
                .execute(Tuple.of(caller.tenantId(), caller.userId(), key))
                .chain(rows -> {
                    Row row = Rows.first(rows).orElseThrow(() -> new IllegalStateException("idempotency record vanished"));
                    boolean expired = row.getBoolean("expired");
                    if (!expired && !fingerprint.equals(row.getString("fingerprint"))) {
                        return Uni.createFrom().item(new Mismatch());
                    }
                    if (!expired && "completed".equals(row.getString("state"))) {
                        String sealed = row.getString("response_body_sealed");
                        byte[] body = sealed == null ? new byte[0]
                                : Base64.getDecoder().decode(secretBox.decrypt(sealed, associatedData(caller, key)));
                        return Uni.createFrom().item(new Replay(new StoredResponse(row.getInteger("response_status"),
                                row.getString("response_content_type"), row.getString("response_location"), body)));
                    }
                    if (!expired && row.getBoolean("locked")) {
                        return Uni.createFrom().item(new InFlight());
                    }
                    // Expired, or an abandoned claim whose lease ran out: this request takes it over.
                    return c.preparedQuery("update " + schema + ".idempotency_keys set fingerprint = $4, state = 'in_flight',"
                            + " locked_until = now() + make_interval(secs => $5), expires_at = now() + make_interval(secs => $6),"
                            + " response_status = null, response_content_type = null, response_location = null, response_body_sealed = null"
                            + " where tenant_id = $1 and principal = $2 and key = $3")
                            .execute(Tuple.tuple().addUUID(caller.tenantId()).addUUID(caller.userId()).addString(key)
                                    .addString(fingerprint).addLong(lease.toSeconds()).addLong(ttl.toSeconds()))
                            .replaceWith(new Claimed());
                });
    }

    public Uni<Void> complete(TenantContext caller, String key, StoredResponse response) {
        return tx.inTenant(caller, c -> c.preparedQuery("update " + schema + ".idempotency_keys set state = 'completed',"
                + " response_status = $4, response_content_type = $5, response_location = $6, response_body_sealed = $7"
                + " where tenant_id = $1 and principal = $2 and key = $3")
                .execute(Tuple.tuple().addUUID(caller.tenantId()).addUUID(caller.userId()).addString(key)
                        .addInteger(response.status()).addString(response.contentType()).addString(response.location())
                        .addString(secretBox.encrypt(Base64.getEncoder().encodeToString(response.body()), associatedData(caller, key))))
                .replaceWithVoid());
    }

    /** Forgets a claim whose request failed transiently, so a retry runs again. */
    public Uni<Void> release(TenantContext caller, String key) {
        return tx.inTenant(caller, c -> c.preparedQuery("delete from " + schema + ".idempotency_keys"
                + " where tenant_id = $1 and principal = $2 and key = $3 and state = 'in_flight'")
                .execute(Tuple.of(caller.tenantId(), caller.userId(), key)).replaceWithVoid());
    }

    @Scheduled(every = "15m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        // The upkeep policies admit expired records alone (db/upkeep/R__idempotency_purge.sql).
        return tx.inBackground(DbScope.upkeep(), c -> c.query("delete from " + schema + ".idempotency_keys where expires_at < now()").execute())
                .replaceWithVoid();
    }

    private String associatedData(TenantContext caller, String key) {
        return associatedData(schema, caller.tenantId(), caller.userId(), key);
    }

    /** Binds a stored response to its schema, tenant, principal and key (also for master key rotation). */
    public static String associatedData(String schema, UUID tenantId, UUID principal, String key) {
        return schema + ".idempotency_keys:" + tenantId + ":" + principal + ":" + key;
    }
}
