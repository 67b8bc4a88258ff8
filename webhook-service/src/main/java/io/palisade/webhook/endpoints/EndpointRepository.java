package io.palisade.webhook.endpoints;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The caller's tenant's endpoints (RLS). Secrets stay sealed here and never leave in an {@link Endpoint}. */
@ApplicationScoped
public class EndpointRepository {

    /** An endpoint as its tenant sees it. */
    public record Endpoint(UUID id, String url, String description, List<String> eventTypes, boolean enabled, String disabledReason,
            OffsetDateTime previousSecretValidUntil, OffsetDateTime failingSince, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    private static final String COLUMNS = "id, url, description, event_types, enabled, disabled_reason, previous_secret_expires_at,"
            + " failing_since, created_at, updated_at";

    public Uni<Endpoint> insert(SqlConnection c, UUID id, UUID tenantId, String url, String description, List<String> eventTypes,
            String sealedSecret, UUID createdBy) {
        return c.preparedQuery("insert into webhook.endpoints (id, tenant_id, url, description, event_types, secret_sealed, created_by)"
                + " values ($1, $2, $3, $4, $5, $6, $7) returning " + COLUMNS)
                .execute(Tuple.from(Arrays.asList(id, tenantId, url, description, eventTypes.toArray(String[]::new), sealedSecret, createdBy)))
                .map(rows -> endpoint(rows.iterator().next()));
    }

    /** Serialises the tenant's registrations until the transaction ends, so concurrent ones cannot pass the limit together. */
    public Uni<Void> lockRegistrations(SqlConnection c, UUID tenantId) {
        return c.preparedQuery("select pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of("webhook-endpoints:" + tenantId)).replaceWithVoid();
    }

    public Uni<Long> count(SqlConnection c) {
        return c.query("select count(*) as n from webhook.endpoints").execute().map(rows -> rows.iterator().next().getLong("n"));
    }

    public Uni<List<Endpoint>> list(SqlConnection c, OffsetDateTime afterTime, UUID afterId, int limit) {
        return c.preparedQuery("select " + COLUMNS + " from webhook.endpoints where ($1::timestamptz is null or (created_at, id) > ($1, $2))"
                + " order by created_at, id" + RowLimit.of(limit))
                .execute(Tuple.from(Arrays.asList(afterTime, afterId))).map(rows -> all(rows, EndpointRepository::endpoint));
    }

    public Uni<Optional<Endpoint>> find(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + COLUMNS + " from webhook.endpoints where id = $1").execute(Tuple.of(id))
                .map(rows -> first(rows).map(EndpointRepository::endpoint));
    }

    /** Changes what is given (null: unchanged); enabling clears the failure record. */
    public Uni<Optional<Endpoint>> update(SqlConnection c, UUID id, String url, String description, List<String> eventTypes, Boolean enabled) {
        return c.preparedQuery("update webhook.endpoints set url = coalesce($2, url), description = coalesce($3, description),"
                + " event_types = coalesce($4, event_types), enabled = coalesce($5, enabled),"
                + " disabled_reason = case when $5 is null then disabled_reason when $5 then null else 'disabled by the tenant' end,"
                + " failing_since = case when $5 then null else failing_since end, updated_at = now() where id = $1 returning " + COLUMNS)
                .execute(Tuple.from(Arrays.asList(id, url, description, eventTypes == null ? null : eventTypes.toArray(String[]::new), enabled)))
                .map(rows -> first(rows).map(EndpointRepository::endpoint));
    }

    public Uni<Boolean> delete(SqlConnection c, UUID id) {
        return c.preparedQuery("delete from webhook.endpoints where id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** The current secret becomes the previous one, signing alongside the new one for {@code overlap}. */
    public Uni<Optional<Endpoint>> rotate(SqlConnection c, UUID id, String sealedSecret, Duration overlap) {
        return c.preparedQuery("update webhook.endpoints set previous_secret_sealed = secret_sealed, secret_sealed = $2,"
                + " previous_secret_expires_at = now() + make_interval(secs => $3), updated_at = now() where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(id, sealedSecret, overlap.toSeconds())).map(rows -> first(rows).map(EndpointRepository::endpoint));
    }
    /** An attempt failed: the endpoint is failing since its first failure after the last success; that time, if it is enabled. */
    public Uni<Optional<OffsetDateTime>> markFailing(SqlConnection c, UUID id) {
        return c.preparedQuery("update webhook.endpoints set failing_since = coalesce(failing_since, now()) where id = $1"
                + " returning enabled, failing_since").execute(Tuple.of(id))
                .map(rows -> first(rows).filter(r -> r.getBoolean("enabled")).map(r -> r.getOffsetDateTime("failing_since")));
    }

    /** Disables an endpoint that has been failing for too long, saying since when. */
    public Uni<Void> disableFailing(SqlConnection c, UUID id, OffsetDateTime failingSince) {
        return c.preparedQuery("update webhook.endpoints set enabled = false, updated_at = now(), disabled_reason = $2 where id = $1")
                .execute(Tuple.of(id, "failing since " + failingSince.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)))
                .replaceWithVoid();
    }

    private static Endpoint endpoint(Row r) {
        return new Endpoint(r.getUUID("id"), r.getString("url"), r.getString("description"), Arrays.asList(r.getArrayOfStrings("event_types")),
                r.getBoolean("enabled"), r.getString("disabled_reason"), r.getOffsetDateTime("previous_secret_expires_at"),
                r.getOffsetDateTime("failing_since"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
    }
}
