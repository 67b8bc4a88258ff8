package io.palisade.payment.giftcards;

import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** Staff issue gift cards (the code is shown once) and read their balances and ledgers. */
@ApplicationScoped
public class GiftCardService {

    /** The only time the code is shown. */
    public record Issued(UUID id, String code, String codeHint, long balanceMinor, String currency, OffsetDateTime expiresAt) {
    }

    public record GiftCardWithLedger(GiftCardRepository.GiftCard giftCard, List<GiftCardRepository.Entry> ledger) {
    }

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final GiftCardRepository cards;
    private final GiftCardCodes codes;
    private final AuditLog audit;

    GiftCardService(CurrentTenant currentTenant, TenantTransactions tx, GiftCardRepository cards, GiftCardCodes codes, AuditLog audit) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.cards = cards;
        this.codes = codes;
        this.audit = audit;
    }

    public Uni<Issued> issue(long amountMinor, String currency, String note, OffsetDateTime expiresAt, String clientIp) {
        TenantContext caller = currentTenant.get();
        OffsetDateTime expiry = expiresAt == null ? OffsetDateTime.now(ZoneOffset.UTC).plus(Period.ofYears(3)) : expiresAt;
        if (!expiry.isAfter(OffsetDateTime.now())) {
            throw ProblemException.unprocessable("expiresAt must be in the future");
        }
        String code = codes.newCode();
        String hint = GiftCardCodes.hint(code);
        return tx.inTenant(caller, c -> cards.insert(c, caller.tenantId(), codes.hash(caller.tenantId(), code), hint, currency, caller.userId(),
                note, expiry)
                .call(id -> cards.append(c, caller.tenantId(), id, "credit", amountMinor, null, caller.userId(), "issued"))
                .call(id -> audit.record(c, new AuditEvent(caller.tenantId(), "gift_card.issued", AuditEvent.Actor.of(caller, clientIp),
                        "gift_card", id.toString(), AuditEvent.SUCCESS, null,
                        new JsonObject().put("amountMinor", amountMinor).put("currency", currency).put("codeHint", hint), new JsonObject()))))
                .map(id -> new Issued(id, code, hint, amountMinor, currency, expiry));
    }

    public Uni<Page<GiftCardRepository.GiftCard>> list(String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> cards.list(c, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, g -> g, g -> new Cursor(g.createdAt(), g.id())));
    }

    public Uni<GiftCardWithLedger> get(UUID id) {
        return tx.inTenant(currentTenant.get(), c -> cards.find(c, id).chain(found -> {
            GiftCardRepository.GiftCard card = found.orElseThrow(() -> ProblemException.notFound("the gift card"));
            return cards.ledger(c, id).map(ledger -> new GiftCardWithLedger(card, ledger));
        }));
    }
}
