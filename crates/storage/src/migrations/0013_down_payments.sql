-- The down-payment invoices a final invoice deducts (§ 14 Abs. 5 UStG), as JSON: each with
-- its number, date, net amount and VAT per rate and what was still open on it
-- ([{"number":"AR-2026-0001","date":"2026-03-01","groups":[{"category":"S","rate":"19","net":"1000.00","vat":"190.00"}],"open":"0"}]).
ALTER TABLE documents ADD COLUMN down_payments TEXT NOT NULL DEFAULT '[]';
