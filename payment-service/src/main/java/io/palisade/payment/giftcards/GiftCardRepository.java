package io.palisade.payment.giftcards;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Gift cards and their ledgers under the caller's tenant (RLS); the balance is always summed from the ledger. */
@ApplicationScoped
public class GiftCardRepository {

    public record GiftCard(UUID id, String codeHint, String currency, long balanceMinor, UUID issuedBy, String note, OffsetDateTime createdAt,
            OffsetDateTime expiresAt) {
    }

    public record Entry(long id, String kind, long amountMinor, UUID bookingId, UUID actor, String reason, OffsetDateTime createdAt) {
    }

    private static final String COLUMNS = "g.id, g.code_hint, g.currency, payment.gift_card_balance(g.id) as balance_minor, g.issued_by, g.note,"
            + " g.created_at, g.expires_at from payment.gift_cards g";

    public Uni<UUID> insert(SqlConnection c, UUID tenantId, String codeHash, String hint, String currency, UUID issuedBy, String note,
            OffsetDateTime expiresAt) {
        return c.preparedQuery("insert into payment.gift_cards (tenant_id, code_hash, code_hint, currency, issued_by, note, expires_at)"
                + " values ($1, $2, $3, $4, $5, $6, $7) returning id")
                .execute(Tuple.from(Arrays.asList(tenantId, codeHash, hint, currency, issuedBy, note, expiresAt)))
                .map(rows -> rows.iterator().next().getUUID("id"));
    }

    public Uni<Void> append(SqlConnection c, UUID tenantId, UUID card, String kind, long amountMinor, UUID bookingId, UUID actor, String reason) {
        return c.preparedQuery("insert into payment.gift_card_ledger (tenant_id, gift_card_id, kind, amount_minor, booking_id, actor, reason)"
                + " values ($1, $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.from(Arrays.asList(tenantId, card, kind, amountMinor, bookingId, actor, reason))).replaceWithVoid();
    }

    /** What one card paid towards a booking, net of what was given back already. */
    public record NetDebit(UUID giftCardId, long amountMinor) {
    }

    /** The cards that paid towards a booking and have not had it back, with the amount each is owed. */
    public Uni<List<NetDebit>> netDebitsOf(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("select gift_card_id, sum(case when kind = 'debit' then amount_minor else -amount_minor end)::bigint as net"
                + " from payment.gift_card_ledger where booking_id = $1 group by gift_card_id"
                + " having sum(case when kind = 'debit' then amount_minor else -amount_minor end) > 0 order by gift_card_id")
                .execute(Tuple.of(bookingId)).map(rows -> all(rows, r -> new NetDebit(r.getUUID("gift_card_id"), r.getLong("net"))));
    }

    public Uni<List<GiftCard>> list(SqlConnection c, OffsetDateTime afterCreated, UUID afterId, int limit) {
        return c.preparedQuery("select " + COLUMNS + " where ($1::timestamptz is null or (g.created_at, g.id) > ($1, $2))"
                + " order by g.created_at, g.id limit $3")
                .execute(Tuple.from(Arrays.asList(afterCreated, afterId, limit))).map(rows -> all(rows, GiftCardRepository::card));
    }

    public Uni<Optional<GiftCard>> find(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + COLUMNS + " where g.id = $1").execute(Tuple.of(id)).map(rows -> first(rows).map(GiftCardRepository::card));
    }

    public Uni<List<Entry>> ledger(SqlConnection c, UUID card) {
        return c.preparedQuery("select id, kind, amount_minor, booking_id, actor, reason, created_at from payment.gift_card_ledger"
                + " where gift_card_id = $1 order by id").execute(Tuple.of(card))
                .map(rows -> all(rows, r -> new Entry(r.getLong("id"), r.getString("kind"), r.getLong("amount_minor"), r.getUUID("booking_id"),
                        r.getUUID("actor"), r.getString("reason"), r.getOffsetDateTime("created_at"))));
    }

    private static GiftCard card(Row r) {
        return new GiftCard(r.getUUID("id"), r.getString("code_hint"), r.getString("currency"), r.getLong("balance_minor"), r.getUUID("issued_by"),
                r.getString("note"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("expires_at"));
    }
}
