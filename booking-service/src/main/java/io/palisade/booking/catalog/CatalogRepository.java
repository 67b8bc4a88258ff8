package io.palisade.booking.catalog;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Offerings and slots, on a connection scoped to the caller's tenant: row-level security does the filtering. */
@ApplicationScoped
public class CatalogRepository {

    public record Offering(UUID id, String name, String description, long priceMinor, String currency, int durationMinutes,
            boolean published, OffsetDateTime createdAt) {
    }

    public record Slot(UUID id, UUID offeringId, OffsetDateTime startsAt, OffsetDateTime endsAt, int capacity, int seatsTaken) {
    }

    private static final String OFFERING_COLUMNS = "id, name, description, price_minor, currency, duration_minutes, published, created_at";
    private static final String SLOT_COLUMNS = "id, offering_id, starts_at, ends_at, capacity, seats_taken";

    public Uni<Offering> insertOffering(SqlConnection c, UUID tenantId, CatalogRequests.NewOffering o) {
        return c.preparedQuery("insert into booking.offerings (id, tenant_id, name, description, price_minor, currency, duration_minutes,"
                + " published) values ($1, $2, $3, $4, $5, $6, $7, $8) returning " + OFFERING_COLUMNS)
                .execute(Tuple.from(java.util.Arrays.asList(UUID.randomUUID(), tenantId, o.name(), o.description(), o.priceMinor(),
                        o.currency(), o.durationMinutes(), o.published())))
                .map(rows -> offering(rows.iterator().next()));
    }

    public Uni<List<Offering>> offerings(SqlConnection c) {
        return c.query("select " + OFFERING_COLUMNS + " from booking.offerings order by created_at, id").execute()
                .map(rows -> all(rows, CatalogRepository::offering));
    }

    public Uni<Optional<Offering>> offering(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + OFFERING_COLUMNS + " from booking.offerings where id = $1").execute(Tuple.of(id))
                .map(rows -> first(rows).map(CatalogRepository::offering));
    }

    public Uni<Optional<Offering>> changeOffering(SqlConnection c, UUID id, CatalogRequests.ChangeOffering change) {
        return c.preparedQuery("update booking.offerings set name = coalesce($2, name), description = coalesce($3, description),"
                + " price_minor = coalesce($4, price_minor), published = coalesce($5, published), updated_at = now()"
                + " where id = $1 returning " + OFFERING_COLUMNS)
                .execute(Tuple.from(java.util.Arrays.asList(id, change.name(), change.description(), change.priceMinor(), change.published())))
                .map(rows -> first(rows).map(CatalogRepository::offering));
    }

    public Uni<Slot> insertSlot(SqlConnection c, UUID tenantId, UUID offeringId, OffsetDateTime startsAt, OffsetDateTime endsAt, int capacity) {
        return c.preparedQuery("insert into booking.slots (id, tenant_id, offering_id, starts_at, ends_at, capacity)"
                + " values ($1, $2, $3, $4, $5, $6) returning " + SLOT_COLUMNS)
                .execute(Tuple.from(List.of(UUID.randomUUID(), tenantId, offeringId, startsAt, endsAt, capacity)))
                .map(rows -> slot(rows.iterator().next()));
    }

    public Uni<List<Slot>> slots(SqlConnection c, UUID offeringId) {
        return c.preparedQuery("select " + SLOT_COLUMNS + " from booking.slots where offering_id = $1 order by starts_at, id")
                .execute(Tuple.of(offeringId)).map(rows -> all(rows, CatalogRepository::slot));
    }

    private static Offering offering(Row r) {
        return new Offering(r.getUUID("id"), r.getString("name"), r.getString("description"), r.getLong("price_minor"),
                r.getString("currency"), r.getInteger("duration_minutes"), r.getBoolean("published"), r.getOffsetDateTime("created_at"));
    }

    private static Slot slot(Row r) {
        return new Slot(r.getUUID("id"), r.getUUID("offering_id"), r.getOffsetDateTime("starts_at"), r.getOffsetDateTime("ends_at"),
                r.getInteger("capacity"), r.getInteger("seats_taken"));
    }
}
