-- The notification claim returns what it leased, (message, tenant), and nothing of the message: the guest, the
-- booking and its slot are read under the worker scope of that tenant (NotificationRepository.sending). A new return
-- type needs the function made anew: dropped here, created with its grants in R__booking_functions.sql.
drop function booking.claim_notifications(int, int, int);
