-- Payment terms of a document: Skonto steps as JSON ([{"days":14,"percent":"2"}]),
-- the payment method (transfer | direct_debit) and, for a currency other than EUR, the
-- exchange rate as exact text (units of the document currency per 1 EUR).
ALTER TABLE documents ADD COLUMN skonto TEXT NOT NULL DEFAULT '[]';
ALTER TABLE documents ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'transfer';
ALTER TABLE documents ADD COLUMN exchange_rate TEXT;
