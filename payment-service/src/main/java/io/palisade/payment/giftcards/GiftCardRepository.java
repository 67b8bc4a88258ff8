package io.palisade.payment.giftcards;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.Duration;
import java.time.OffsetDateTime;
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
                + " order by g.created_at, g.id" + RowLimit.of(limit))
                .execute(Tuple.from(Arrays.asList(afterCreated, afterId))).map(rows -> all(rows, GiftCardRepository::card));
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

    /** A card a code names, still valid, with its balance read after the card's lock: redemptions of one card go one at a time. */
    public record Redeemable(UUID id, String currency, long balanceMinor) {
    }

    public Uni<Optional<Redeemable>> lockRedeemable(SqlConnection c, String codeHash) {
        return c.preparedQuery("select g.id, g.currency from payment.gift_cards g where g.code_hash = $1 and g.expires_at > now()")
                .execute(Tuple.of(codeHash))
                .chain(rows -> first(rows).map(r -> c.preparedQuery("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .execute(Tuple.of("gift-card:" + r.getUUID("id")))
                        .chain(() -> c.preparedQuery("select payment.gift_card_balance($1) as balance_minor").execute(Tuple.of(r.getUUID("id"))))
                        .map(balance -> Optional.of(new Redeemable(r.getUUID("id"), r.getString("currency"),
                                balance.iterator().next().getLong("balance_minor")))))
                        .orElseGet(() -> Uni.createFrom().item(Optional.empty())));
    }

    /** One client's code attempts in the window: wrong codes, whether the last came sooner than minInterval ago, the outcomes seen. */
    public record RecentAttempts(int wrongCodes, boolean lastTooRecent, List<String> outcomes) {
    }

    /**
     * One client's attempts, read under its lock: concurrent attempts of one client count one after another. Under the
     * worker scope of the payment link's tenant, the attempts are that tenant's alone.
     */
    public Uni<RecentAttempts> lockClientAttempts(SqlConnection c, UUID tenantId, String clientKey, Duration window, Duration minInterval) {
        return c.preparedQuery("select pg_advisory_xact_lock(hashtextextended($1, 0))").execute(Tuple.of("gift-card-client:" + tenantId + ":" + clientKey))
                .chain(() -> c.preparedQuery("select count(*) filter (where outcome = 'no_such_card')::int as wrong_codes,"
                        + " coalesce(max(made_at) > now() - make_interval(secs => $3::float8 / 1000), false) as last_too_recent,"
                        + " coalesce(array_agg(distinct outcome), '{}') as outcomes"
                        + " from payment.gift_card_attempts where client_key = $1 and made_at > now() - make_interval(secs => $2)")
                        .execute(Tuple.of(clientKey, (int) window.toSeconds(), minInterval.toMillis())))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new RecentAttempts(r.getInteger("wrong_codes"), r.getBoolean("last_too_recent"), Arrays.asList(r.getArrayOfStrings("outcomes")));
                });
    }

    public Uni<Void> recordAttempt(SqlConnection c, UUID tenantId, String clientKey, String outcome) {
        return c.preparedQuery("insert into payment.gift_card_attempts (tenant_id, client_key, outcome) values ($1, $2, $3)")
                .execute(Tuple.of(tenantId, clientKey, outcome)).replaceWithVoid();
    }

    private static GiftCard card(Row r) {
        return new GiftCard(r.getUUID("id"), r.getString("code_hint"), r.getString("currency"), r.getLong("balance_minor"), r.getUUID("issued_by"),
                r.getString("note"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("expires_at"));
    }

    /** Drops redemption attempts older than a day (the upkeep scope admits only those). */
    public Uni<Void> forgetAttemptsOlderThanADay(SqlConnection c) {
        return c.query("delete from payment.gift_card_attempts where made_at < now() - interval '1 day'").execute().replaceWithVoid();
    }
}
