-- A wrong payment is never deleted: it is reversed by a payment of the opposite amount that
-- names it. At most one reversal per payment.
ALTER TABLE payments ADD COLUMN reverses_id BIGINT REFERENCES payments(id);
CREATE UNIQUE INDEX payments_reverses ON payments (reverses_id);
