-- A support session leaves nothing behind (docs/support-access.md): no gift-card value is minted or adjusted under
-- it. Guests' redemptions and purchases run under their own scope and are not affected.
drop policy gift_cards_insert on payment.gift_cards;
create policy gift_cards_insert on payment.gift_cards for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
drop policy gift_card_ledger_insert on payment.gift_card_ledger;
create policy gift_card_ledger_insert on payment.gift_card_ledger for insert to palisade_services
    with check (tenant_id = tenancy.current_tenant_id() and (select tenancy.is_active_member(tenancy.current_tenant_id()))
                and current_setting('app.principal', true) is distinct from 'support');
