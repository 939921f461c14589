//! Reader for OASIS UBL 2.1 Invoice and CreditNote (XRechnung UBL, Peppol BIS, EN 16931 UBL)
//! into [`Invoice`]. Reads every business term from every place UBL can carry it; never
//! requires anything (the checks decide what is missing).

use super::xml::{N, all, at, attr, child, children, dec, is, t, text, xs_date};
use super::{attachment, parse_skonto};
use crate::model::*;

/// Reads a UBL Invoice or CreditNote root element.
pub fn read(root: N<'_>) -> Invoice {
    let credit = root.tag_name().name() == "CreditNote";
    let mut inv = Invoice {
        customization_id: t(root, "cbc:CustomizationID"),
        profile_id: t(root, "cbc:ProfileID"),
        number: t(root, "cbc:ID"),
        issue_date: t(root, "cbc:IssueDate").and_then(|s| xs_date(&s)),
        type_code: t(root, "cbc:InvoiceTypeCode").or_else(|| t(root, "cbc:CreditNoteTypeCode")),
        credit_note: credit,
        currency: t(root, "cbc:DocumentCurrencyCode"),
        tax_currency: t(root, "cbc:TaxCurrencyCode"),
        tax_point_date: t(root, "cbc:TaxPointDate").and_then(|s| xs_date(&s)),
        tax_point_code: t(root, "cac:InvoicePeriod/cbc:DescriptionCode"),
        due_date: t(root, "cbc:DueDate")
            .or_else(|| t(root, "cac:PaymentMeans/cbc:PaymentDueDate"))
            .and_then(|s| xs_date(&s)),
        buyer_reference: t(root, "cbc:BuyerReference"),
        project_ref: t(root, "cac:ProjectReference/cbc:ID"),
        contract_ref: t(root, "cac:ContractDocumentReference/cbc:ID"),
        order_ref: t(root, "cac:OrderReference/cbc:ID"),
        sales_order_ref: t(root, "cac:OrderReference/cbc:SalesOrderID"),
        receiving_advice_ref: t(root, "cac:ReceiptDocumentReference/cbc:ID"),
        despatch_advice_ref: t(root, "cac:DespatchDocumentReference/cbc:ID"),
        tender_ref: t(root, "cac:OriginatorDocumentReference/cbc:ID"),
        accounting_ref: t(root, "cbc:AccountingCost"),
        ..Invoice::default()
    };
    if inv.type_code.as_deref() == Some("381") {
        inv.credit_note = true;
    }
    for note in children(root, "cbc:Note").filter_map(text) {
        inv.notes.push(coded_note(&note));
    }
    let terms: Vec<String> = all(root, "cac:PaymentTerms/cbc:Note")
        .into_iter()
        .filter_map(text)
        .collect();
    if !terms.is_empty() {
        let joined = terms.join("\n");
        inv.skonto = parse_skonto(&joined);
        inv.payment_terms = Some(joined);
    }
    for r in all(root, "cac:BillingReference/cac:InvoiceDocumentReference") {
        inv.preceding.push(PrecedingInvoice {
            number: t(r, "cbc:ID").unwrap_or_default(),
            date: t(r, "cbc:IssueDate").and_then(|s| xs_date(&s)),
        });
    }
    for d in children(root, "cac:AdditionalDocumentReference") {
        if t(d, "cbc:DocumentTypeCode").as_deref() == Some("130") {
            inv.invoiced_object = child(d, "cbc:ID").map(|n| Id {
                value: text(n).unwrap_or_default(),
                scheme: attr(n, "schemeID"),
            });
            continue;
        }
        let obj = at(d, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject");
        inv.attachments.push(attachment(
            t(d, "cbc:ID"),
            t(d, "cbc:DocumentDescription"),
            t(d, "cac:Attachment/cac:ExternalReference/cbc:URI"),
            obj,
        ));
    }
    if let Some(p) = at(root, "cac:AccountingSupplierParty/cac:Party") {
        inv.seller = party(p);
    }
    if let Some(p) = at(root, "cac:AccountingCustomerParty/cac:Party") {
        inv.buyer = party(p);
    }
    inv.payee = child(root, "cac:PayeeParty").map(party);
    inv.tax_representative = child(root, "cac:TaxRepresentativeParty").map(party);
    if let Some(d) = child(root, "cac:Delivery") {
        inv.delivery_date = t(d, "cbc:ActualDeliveryDate").and_then(|s| xs_date(&s));
        inv.delivery_location = at(d, "cac:DeliveryLocation/cbc:ID").map(|n| Id {
            value: text(n).unwrap_or_default(),
            scheme: attr(n, "schemeID"),
        });
        inv.delivery_address = at(d, "cac:DeliveryLocation/cac:Address").map(address);
        inv.delivery_name = t(d, "cac:DeliveryParty/cac:PartyName/cbc:Name");
    }
    if let Some(p) = child(root, "cac:InvoicePeriod") {
        inv.period_start = t(p, "cbc:StartDate").and_then(|s| xs_date(&s));
        inv.period_end = t(p, "cbc:EndDate").and_then(|s| xs_date(&s));
    }
    let creditor = creditor_id(root);
    for pm in children(root, "cac:PaymentMeans") {
        let code = child(pm, "cbc:PaymentMeansCode");
        let card = child(pm, "cac:CardAccount");
        let account = child(pm, "cac:PayeeFinancialAccount");
        let mandate = child(pm, "cac:PaymentMandate");
        inv.payment_means.push(PaymentMeans {
            code: code.and_then(text),
            text: code.and_then(|c| attr(c, "name")),
            remittance: t(pm, "cbc:PaymentID"),
            iban: account.and_then(|a| t(a, "cbc:ID")),
            account_name: account.and_then(|a| t(a, "cbc:Name")),
            bic: account.and_then(|a| t(a, "cac:FinancialInstitutionBranch/cbc:ID")),
            card_number: card.and_then(|c| t(c, "cbc:PrimaryAccountNumberID")),
            card_holder: card.and_then(|c| t(c, "cbc:HolderName")),
            mandate: mandate.and_then(|m| t(m, "cbc:ID")),
            creditor_id: if mandate.is_some() {
                creditor.clone()
            } else {
                None
            },
            debited_iban: mandate.and_then(|m| t(m, "cac:PayerFinancialAccount/cbc:ID")),
            has_transfer: account.is_some(),
            has_card: card.is_some(),
            has_direct_debit: mandate.is_some(),
        });
    }
    inv.allowances_charges = children(root, "cac:AllowanceCharge")
        .map(allowance_charge)
        .collect();
    for tt in children(root, "cac:TaxTotal") {
        for a in children(tt, "cbc:TaxAmount") {
            if let Some(v) = dec(Some(a)) {
                inv.vat_totals.push((v, attr(a, "currencyID")));
            }
        }
        for st in children(tt, "cac:TaxSubtotal") {
            inv.vat_breakdown.push(VatGroup {
                taxable: dec(child(st, "cbc:TaxableAmount")),
                tax: dec(child(st, "cbc:TaxAmount")),
                category: t(st, "cac:TaxCategory/cbc:ID"),
                rate: dec(at(st, "cac:TaxCategory/cbc:Percent")),
                exemption_reason: t(st, "cac:TaxCategory/cbc:TaxExemptionReason"),
                exemption_code: t(st, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
            });
        }
    }
    let cur = inv.currency.clone();
    let tax_cur = inv.tax_currency.clone();
    inv.totals.vat = inv
        .vat_totals
        .iter()
        .find(|(_, c)| c.is_some() && *c == cur)
        .map(|(v, _)| *v);
    inv.totals.vat_in_tax_currency = inv
        .vat_totals
        .iter()
        .find(|(_, c)| tax_cur.is_some() && *c == tax_cur)
        .map(|(v, _)| *v);
    if let Some(m) = child(root, "cac:LegalMonetaryTotal") {
        inv.totals.line_net = dec(child(m, "cbc:LineExtensionAmount"));
        inv.totals.net = dec(child(m, "cbc:TaxExclusiveAmount"));
        inv.totals.gross = dec(child(m, "cbc:TaxInclusiveAmount"));
        inv.totals.allowances = dec(child(m, "cbc:AllowanceTotalAmount"));
        inv.totals.charges = dec(child(m, "cbc:ChargeTotalAmount"));
        inv.totals.prepaid = dec(child(m, "cbc:PrepaidAmount"));
        inv.totals.rounding = dec(child(m, "cbc:PayableRoundingAmount"));
        inv.totals.due = dec(child(m, "cbc:PayableAmount"));
    }
    let line_tag = if credit {
        "cac:CreditNoteLine"
    } else {
        "cac:InvoiceLine"
    };
    inv.lines = children(root, line_tag).map(line).collect();
    inv
}

/// UBL carries the note subject code (BT-21) as a `#CODE#` prefix of the text (BT-22); the
/// model writes coded notes as `CODE: text`.
fn coded_note(note: &str) -> String {
    if let Some((code, text)) = note.strip_prefix('#').and_then(|r| r.split_once('#'))
        && code.len() == 3
        && code.bytes().all(|b| b.is_ascii_uppercase())
    {
        return format!("{code}: {}", text.trim());
    }
    note.to_string()
}

/// BT-90: the seller's or payee's identifier with scheme `SEPA`.
fn creditor_id(root: N<'_>) -> Option<String> {
    let mut ids = all(
        root,
        "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID",
    );
    ids.extend(all(root, "cac:PayeeParty/cac:PartyIdentification/cbc:ID"));
    ids.into_iter()
        .find(|n| attr(*n, "schemeID").as_deref() == Some("SEPA"))
        .and_then(text)
}

fn address(a: N<'_>) -> Address {
    Address {
        line1: t(a, "cbc:StreetName"),
        line2: t(a, "cbc:AdditionalStreetName"),
        line3: t(a, "cac:AddressLine/cbc:Line"),
        city: t(a, "cbc:CityName"),
        postcode: t(a, "cbc:PostalZone"),
        subdivision: t(a, "cbc:CountrySubentity"),
        country: t(a, "cac:Country/cbc:IdentificationCode"),
    }
}

fn id_of(n: N<'_>) -> Option<Id> {
    text(n).map(|value| Id {
        value,
        scheme: attr(n, "schemeID"),
    })
}

/// A `cac:Party` (seller, buyer, payee) or `cac:TaxRepresentativeParty`.
fn party(p: N<'_>) -> Party {
    let mut out = Party {
        name: t(p, "cac:PartyLegalEntity/cbc:RegistrationName"),
        trading_name: t(p, "cac:PartyName/cbc:Name"),
        legal_info: t(p, "cac:PartyLegalEntity/cbc:CompanyLegalForm"),
        electronic_address: child(p, "cbc:EndpointID").and_then(id_of),
        address: child(p, "cac:PostalAddress").map(address),
        ..Party::default()
    };
    if is(p, "cac:TaxRepresentativeParty") || is(p, "cac:PayeeParty") {
        // Payee (BT-59) and tax representative (BT-62) carry their name in PartyName.
        out.name = out.trading_name.take();
    }
    out.ids = all(p, "cac:PartyIdentification/cbc:ID")
        .into_iter()
        .filter(|n| attr(*n, "schemeID").as_deref() != Some("SEPA"))
        .filter_map(id_of)
        .collect();
    out.legal_id = at(p, "cac:PartyLegalEntity/cbc:CompanyID").and_then(id_of);
    for ts in children(p, "cac:PartyTaxScheme") {
        let scheme = t(ts, "cac:TaxScheme/cbc:ID").map(|s| s.to_uppercase());
        let id = t(ts, "cbc:CompanyID");
        if scheme.as_deref() == Some("VAT") {
            out.vat_id = out.vat_id.or(id);
        } else {
            out.tax_number = out.tax_number.or(id);
        }
    }
    out.contact = child(p, "cac:Contact").map(|c| Contact {
        name: t(c, "cbc:Name"),
        phone: t(c, "cbc:Telephone"),
        email: t(c, "cbc:ElectronicMail"),
    });
    out
}

fn allowance_charge(a: N<'_>) -> AllowanceCharge {
    AllowanceCharge {
        charge: t(a, "cbc:ChargeIndicator").as_deref() == Some("true"),
        amount: dec(child(a, "cbc:Amount")),
        base_amount: dec(child(a, "cbc:BaseAmount")),
        percentage: dec(child(a, "cbc:MultiplierFactorNumeric")),
        vat_category: t(a, "cac:TaxCategory/cbc:ID"),
        vat_rate: dec(at(a, "cac:TaxCategory/cbc:Percent")),
        reason: t(a, "cbc:AllowanceChargeReason"),
        reason_code: t(a, "cbc:AllowanceChargeReasonCode"),
    }
}

fn line(l: N<'_>) -> Line {
    let qty = child(l, "cbc:InvoicedQuantity").or_else(|| child(l, "cbc:CreditedQuantity"));
    let item = child(l, "cac:Item");
    let price = child(l, "cac:Price");
    let base_qty = price.and_then(|p| child(p, "cbc:BaseQuantity"));
    let price_ac = price.and_then(|p| child(p, "cac:AllowanceCharge"));
    Line {
        id: t(l, "cbc:ID"),
        note: t(l, "cbc:Note"),
        object_id: at(l, "cac:DocumentReference/cbc:ID").and_then(id_of),
        quantity: dec(qty),
        unit: qty.and_then(|q| attr(q, "unitCode")),
        net_amount: dec(child(l, "cbc:LineExtensionAmount")),
        order_line_ref: t(l, "cac:OrderLineReference/cbc:LineID"),
        accounting_ref: t(l, "cbc:AccountingCost"),
        period_start: t(l, "cac:InvoicePeriod/cbc:StartDate").and_then(|s| xs_date(&s)),
        period_end: t(l, "cac:InvoicePeriod/cbc:EndDate").and_then(|s| xs_date(&s)),
        allowances_charges: children(l, "cac:AllowanceCharge")
            .map(allowance_charge)
            .collect(),
        net_price: dec(price.and_then(|p| child(p, "cbc:PriceAmount"))),
        price_discount: dec(price_ac.and_then(|a| child(a, "cbc:Amount"))),
        gross_price: dec(price_ac.and_then(|a| child(a, "cbc:BaseAmount"))),
        base_quantity: dec(base_qty),
        base_quantity_unit: base_qty.and_then(|q| attr(q, "unitCode")),
        vat_category: item.and_then(|i| t(i, "cac:ClassifiedTaxCategory/cbc:ID")),
        vat_rate: dec(item.and_then(|i| at(i, "cac:ClassifiedTaxCategory/cbc:Percent"))),
        name: item.and_then(|i| t(i, "cbc:Name")),
        description: item.and_then(|i| t(i, "cbc:Description")),
        seller_item_id: item.and_then(|i| t(i, "cac:SellersItemIdentification/cbc:ID")),
        buyer_item_id: item.and_then(|i| t(i, "cac:BuyersItemIdentification/cbc:ID")),
        standard_item_id: item
            .and_then(|i| at(i, "cac:StandardItemIdentification/cbc:ID"))
            .and_then(id_of),
        classifications: item
            .map(|i| {
                all(i, "cac:CommodityClassification/cbc:ItemClassificationCode")
                    .into_iter()
                    .filter_map(|n| {
                        text(n).map(|value| Id {
                            value,
                            scheme: attr(n, "listID"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        origin_country: item.and_then(|i| t(i, "cac:OriginCountry/cbc:IdentificationCode")),
        attributes: item
            .map(|i| {
                children(i, "cac:AdditionalItemProperty")
                    .map(|p| ItemAttribute {
                        name: t(p, "cbc:Name").unwrap_or_default(),
                        value: t(p, "cbc:Value").unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
