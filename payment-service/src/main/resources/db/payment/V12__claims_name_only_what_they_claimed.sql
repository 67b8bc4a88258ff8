-- The three claims across tenants return which item and whose, and nothing of it: the Stripe event's account, type
-- and object, the refund's payment and amount, the purchase's PaymentIntent are read under the worker scope of that
-- tenant (StripeEventRepository.claimed, RefundRepository.unsent, GiftCardPurchaseRepository.unissued). New return
-- types need the functions made anew: dropped here, created with their grants in R__payment_functions.sql.
drop function payment.claim_stripe_events(int, int);
drop function payment.unsent_refunds(int, int);
drop function payment.unissued_purchases(int, int);
