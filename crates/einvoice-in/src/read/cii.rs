//! Reader for UN/CEFACT CII D16B `CrossIndustryInvoice` (XRechnung CII and Factur-X /
//! ZUGFeRD 2.x of every profile) into [`Invoice`]. Never requires anything.

use super::xml::{N, all, at, attr, child, children, date_102, dec, t, text};
use super::{attachment, parse_skonto};
use crate::model::*;
use chrono::NaiveDate;

/// A CII date: `<X><udt:DateTimeString format="102">CCYYMMDD</…></X>` (also `qdt:` and
/// `udt:DateString` as used for BT-7 and BT-26).
fn date(parent: Option<N<'_>>) -> Option<NaiveDate> {
    let p = parent?;
    let s = p
        .children()
        .find(|c| c.is_element() && c.tag_name().name().starts_with("Date"))
        .and_then(text)?;
    date_102(&s)
}

/// Reads a CII `rsm:CrossIndustryInvoice` root element.
pub fn read(root: N<'_>) -> Invoice {
    let ctx = child(root, "rsm:ExchangedDocumentContext");
    let doc = child(root, "rsm:ExchangedDocument");
    let tx = child(root, "rsm:SupplyChainTradeTransaction");
    let agr = tx.and_then(|x| child(x, "ram:ApplicableHeaderTradeAgreement"));
    let del = tx.and_then(|x| child(x, "ram:ApplicableHeaderTradeDelivery"));
    let set = tx.and_then(|x| child(x, "ram:ApplicableHeaderTradeSettlement"));
    let gt = |n: Option<N<'_>>, p: &str| n.and_then(|n| t(n, p));

    let mut inv = Invoice {
        customization_id: gt(ctx, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        profile_id: gt(
            ctx,
            "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
        ),
        number: gt(doc, "ram:ID"),
        issue_date: date(doc.and_then(|d| child(d, "ram:IssueDateTime"))),
        type_code: gt(doc, "ram:TypeCode"),
        currency: gt(set, "ram:InvoiceCurrencyCode"),
        tax_currency: gt(set, "ram:TaxCurrencyCode"),
        buyer_reference: gt(agr, "ram:BuyerReference"),
        project_ref: gt(agr, "ram:SpecifiedProcuringProject/ram:ID"),
        contract_ref: gt(agr, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        order_ref: gt(agr, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        sales_order_ref: gt(
            agr,
            "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID",
        ),
        receiving_advice_ref: gt(
            del,
            "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID",
        ),
        despatch_advice_ref: gt(
            del,
            "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID",
        ),
        accounting_ref: gt(set, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
        ..Invoice::default()
    };
    inv.credit_note = matches!(
        inv.type_code.as_deref(),
        Some("381" | "261" | "262" | "296" | "308" | "396" | "420" | "458" | "532" | "81" | "83")
    );
    if let Some(d) = doc {
        for n in children(d, "ram:IncludedNote") {
            if let Some(c) = t(n, "ram:Content") {
                inv.notes.push(match t(n, "ram:SubjectCode") {
                    Some(code) => format!("{code}: {c}"),
                    None => c,
                });
            }
        }
    }
    if let Some(a) = agr {
        if let Some(p) = child(a, "ram:SellerTradeParty") {
            inv.seller = party(p);
        }
        if let Some(p) = child(a, "ram:BuyerTradeParty") {
            inv.buyer = party(p);
        }
        inv.tax_representative = child(a, "ram:SellerTaxRepresentativeTradeParty").map(party);
        for d in children(a, "ram:AdditionalReferencedDocument") {
            match t(d, "ram:TypeCode").as_deref() {
                Some("50") => inv.tender_ref = t(d, "ram:IssuerAssignedID"),
                Some("130") => {
                    inv.invoiced_object = t(d, "ram:IssuerAssignedID").map(|value| Id {
                        value,
                        scheme: t(d, "ram:ReferenceTypeCode"),
                    })
                }
                _ => inv.attachments.push(attachment(
                    t(d, "ram:IssuerAssignedID"),
                    t(d, "ram:Name"),
                    t(d, "ram:URIID"),
                    child(d, "ram:AttachmentBinaryObject"),
                )),
            }
        }
    }
    if let Some(d) = del {
        if let Some(st) = child(d, "ram:ShipToTradeParty") {
            inv.delivery_name = t(st, "ram:Name");
            inv.delivery_location = child(st, "ram:GlobalID")
                .or_else(|| child(st, "ram:ID"))
                .and_then(|n| {
                    text(n).map(|value| Id {
                        value,
                        scheme: attr(n, "schemeID"),
                    })
                });
            inv.delivery_address = child(st, "ram:PostalTradeAddress").map(address);
        }
        inv.delivery_date = date(at(
            d,
            "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime",
        ));
    }
    if let Some(s) = set {
        read_settlement(s, &mut inv);
    }
    if let Some(x) = tx {
        inv.lines = children(x, "ram:IncludedSupplyChainTradeLineItem")
            .map(line)
            .collect();
    }
    inv
}

fn read_settlement(s: N<'_>, inv: &mut Invoice) {
    inv.payee = child(s, "ram:PayeeTradeParty").map(party);
    let creditor = t(s, "ram:CreditorReferenceID");
    let remittance = t(s, "ram:PaymentReference");
    let mandate = t(s, "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID");
    for pm in children(s, "ram:SpecifiedTradeSettlementPaymentMeans") {
        let card = child(pm, "ram:ApplicableTradeSettlementFinancialCard");
        let account = child(pm, "ram:PayeePartyCreditorFinancialAccount");
        let debtor = child(pm, "ram:PayerPartyDebtorFinancialAccount");
        inv.payment_means.push(PaymentMeans {
            code: t(pm, "ram:TypeCode"),
            text: t(pm, "ram:Information"),
            remittance: remittance.clone(),
            iban: account.and_then(|a| t(a, "ram:IBANID").or_else(|| t(a, "ram:ProprietaryID"))),
            account_name: account.and_then(|a| t(a, "ram:AccountName")),
            bic: t(
                pm,
                "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
            ),
            card_number: card.and_then(|c| t(c, "ram:ID")),
            card_holder: card.and_then(|c| t(c, "ram:CardholderName")),
            mandate: mandate.clone(),
            creditor_id: creditor.clone(),
            debited_iban: debtor.and_then(|d| t(d, "ram:IBANID")),
            has_transfer: account.is_some(),
            has_card: card.is_some(),
            has_direct_debit: debtor.is_some(),
        });
    }
    for tax in children(s, "ram:ApplicableTradeTax") {
        inv.vat_breakdown.push(VatGroup {
            taxable: dec(child(tax, "ram:BasisAmount")),
            tax: dec(child(tax, "ram:CalculatedAmount")),
            category: t(tax, "ram:CategoryCode"),
            rate: dec(child(tax, "ram:RateApplicablePercent")),
            exemption_reason: t(tax, "ram:ExemptionReason"),
            exemption_code: t(tax, "ram:ExemptionReasonCode"),
        });
        if inv.tax_point_date.is_none() {
            inv.tax_point_date = date(child(tax, "ram:TaxPointDate"));
        }
        if inv.tax_point_code.is_none() {
            inv.tax_point_code = t(tax, "ram:DueDateTypeCode");
        }
    }
    if let Some(p) = child(s, "ram:BillingSpecifiedPeriod") {
        inv.period_start = date(child(p, "ram:StartDateTime"));
        inv.period_end = date(child(p, "ram:EndDateTime"));
    }
    inv.allowances_charges = children(s, "ram:SpecifiedTradeAllowanceCharge")
        .map(allowance_charge)
        .collect();
    let terms: Vec<N<'_>> = children(s, "ram:SpecifiedTradePaymentTerms").collect();
    let texts: Vec<String> = terms
        .iter()
        .filter_map(|p| t(*p, "ram:Description"))
        .collect();
    if !texts.is_empty() {
        let joined = texts.join("\n");
        inv.skonto = parse_skonto(&joined);
        inv.payment_terms = Some(joined);
    }
    inv.due_date = terms
        .iter()
        .find_map(|p| date(child(*p, "ram:DueDateDateTime")));
    if let Some(m) = child(s, "ram:SpecifiedTradeSettlementHeaderMonetarySummation") {
        inv.totals.line_net = dec(child(m, "ram:LineTotalAmount"));
        inv.totals.charges = dec(child(m, "ram:ChargeTotalAmount"));
        inv.totals.allowances = dec(child(m, "ram:AllowanceTotalAmount"));
        inv.totals.net = dec(child(m, "ram:TaxBasisTotalAmount"));
        for a in children(m, "ram:TaxTotalAmount") {
            if let Some(v) = dec(Some(a)) {
                inv.vat_totals.push((v, attr(a, "currencyID")));
            }
        }
        inv.totals.rounding = dec(child(m, "ram:RoundingAmount"));
        inv.totals.gross = dec(child(m, "ram:GrandTotalAmount"));
        inv.totals.prepaid = dec(child(m, "ram:TotalPrepaidAmount"));
        inv.totals.due = dec(child(m, "ram:DuePayableAmount"));
    }
    let cur = inv.currency.clone();
    let tax_cur = inv.tax_currency.clone();
    inv.totals.vat = inv
        .vat_totals
        .iter()
        .find(|(_, c)| c.is_some() && *c == cur)
        .or_else(|| inv.vat_totals.iter().find(|(_, c)| c.is_none()))
        .map(|(v, _)| *v);
    inv.totals.vat_in_tax_currency = inv
        .vat_totals
        .iter()
        .find(|(_, c)| tax_cur.is_some() && *c == tax_cur)
        .map(|(v, _)| *v);
    for r in children(s, "ram:InvoiceReferencedDocument") {
        inv.preceding.push(PrecedingInvoice {
            number: t(r, "ram:IssuerAssignedID").unwrap_or_default(),
            date: date(child(r, "ram:FormattedIssueDateTime")),
        });
    }
}

fn address(a: N<'_>) -> Address {
    Address {
        line1: t(a, "ram:LineOne"),
        line2: t(a, "ram:LineTwo"),
        line3: t(a, "ram:LineThree"),
        city: t(a, "ram:CityName"),
        postcode: t(a, "ram:PostcodeCode"),
        subdivision: t(a, "ram:CountrySubDivisionName"),
        country: t(a, "ram:CountryID"),
    }
}

fn party(p: N<'_>) -> Party {
    let id = |n: N<'_>| {
        text(n).map(|value| Id {
            value,
            scheme: attr(n, "schemeID"),
        })
    };
    let mut out = Party {
        name: t(p, "ram:Name"),
        trading_name: t(p, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        legal_id: at(p, "ram:SpecifiedLegalOrganization/ram:ID").and_then(id),
        legal_info: t(p, "ram:Description"),
        electronic_address: at(p, "ram:URIUniversalCommunication/ram:URIID").and_then(id),
        address: child(p, "ram:PostalTradeAddress").map(address),
        ..Party::default()
    };
    out.ids = children(p, "ram:ID")
        .chain(children(p, "ram:GlobalID"))
        .filter_map(id)
        .collect();
    for reg in all(p, "ram:SpecifiedTaxRegistration/ram:ID") {
        match attr(reg, "schemeID").as_deref() {
            Some("VA") => out.vat_id = out.vat_id.take().or_else(|| text(reg)),
            Some("FC") => out.tax_number = out.tax_number.take().or_else(|| text(reg)),
            _ => {}
        }
    }
    out.contact = child(p, "ram:DefinedTradeContact").map(|c| Contact {
        name: t(c, "ram:PersonName").or_else(|| t(c, "ram:DepartmentName")),
        phone: t(c, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        email: t(c, "ram:EmailURIUniversalCommunication/ram:URIID"),
    });
    out
}

fn allowance_charge(a: N<'_>) -> AllowanceCharge {
    AllowanceCharge {
        charge: t(a, "ram:ChargeIndicator/udt:Indicator").as_deref() == Some("true"),
        amount: dec(child(a, "ram:ActualAmount")),
        base_amount: dec(child(a, "ram:BasisAmount")),
        percentage: dec(child(a, "ram:CalculationPercent")),
        vat_category: t(a, "ram:CategoryTradeTax/ram:CategoryCode"),
        vat_rate: dec(at(a, "ram:CategoryTradeTax/ram:RateApplicablePercent")),
        reason: t(a, "ram:Reason"),
        reason_code: t(a, "ram:ReasonCode"),
    }
}

fn line(l: N<'_>) -> Line {
    let doc = child(l, "ram:AssociatedDocumentLineDocument");
    let prod = child(l, "ram:SpecifiedTradeProduct");
    let agr = child(l, "ram:SpecifiedLineTradeAgreement");
    let set = child(l, "ram:SpecifiedLineTradeSettlement");
    let qty = at(l, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity");
    let net = agr.and_then(|a| child(a, "ram:NetPriceProductTradePrice"));
    let gross = agr.and_then(|a| child(a, "ram:GrossPriceProductTradePrice"));
    let base_qty = net
        .and_then(|n| child(n, "ram:BasisQuantity"))
        .or_else(|| gross.and_then(|g| child(g, "ram:BasisQuantity")));
    let g = |n: Option<N<'_>>, p: &str| n.and_then(|n| t(n, p));
    Line {
        id: g(doc, "ram:LineID"),
        note: g(doc, "ram:IncludedNote/ram:Content"),
        object_id: set.and_then(|s| {
            children(s, "ram:AdditionalReferencedDocument")
                .find(|d| t(*d, "ram:TypeCode").as_deref() == Some("130"))
                .and_then(|d| {
                    t(d, "ram:IssuerAssignedID").map(|value| Id {
                        value,
                        scheme: t(d, "ram:ReferenceTypeCode"),
                    })
                })
        }),
        quantity: dec(qty),
        unit: qty.and_then(|q| attr(q, "unitCode")),
        net_amount: dec(set.and_then(|s| {
            at(
                s,
                "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            )
        })),
        order_line_ref: g(agr, "ram:BuyerOrderReferencedDocument/ram:LineID"),
        accounting_ref: g(set, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
        period_start: date(set.and_then(|s| at(s, "ram:BillingSpecifiedPeriod/ram:StartDateTime"))),
        period_end: date(set.and_then(|s| at(s, "ram:BillingSpecifiedPeriod/ram:EndDateTime"))),
        allowances_charges: set
            .map(|s| {
                children(s, "ram:SpecifiedTradeAllowanceCharge")
                    .map(allowance_charge)
                    .collect()
            })
            .unwrap_or_default(),
        net_price: dec(net.and_then(|n| child(n, "ram:ChargeAmount"))),
        price_discount: dec(
            gross.and_then(|g| at(g, "ram:AppliedTradeAllowanceCharge/ram:ActualAmount"))
        ),
        gross_price: dec(gross.and_then(|g| child(g, "ram:ChargeAmount"))),
        base_quantity: dec(base_qty),
        base_quantity_unit: base_qty.and_then(|q| attr(q, "unitCode")),
        vat_category: g(set, "ram:ApplicableTradeTax/ram:CategoryCode"),
        vat_rate: dec(set.and_then(|s| at(s, "ram:ApplicableTradeTax/ram:RateApplicablePercent"))),
        name: g(prod, "ram:Name"),
        description: g(prod, "ram:Description"),
        seller_item_id: g(prod, "ram:SellerAssignedID"),
        buyer_item_id: g(prod, "ram:BuyerAssignedID"),
        standard_item_id: prod.and_then(|p| child(p, "ram:GlobalID")).and_then(|n| {
            text(n).map(|value| Id {
                value,
                scheme: attr(n, "schemeID"),
            })
        }),
        classifications: prod
            .map(|p| {
                all(p, "ram:DesignatedProductClassification/ram:ClassCode")
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
        origin_country: g(prod, "ram:OriginTradeCountry/ram:ID"),
        attributes: prod
            .map(|p| {
                children(p, "ram:ApplicableProductCharacteristic")
                    .map(|c| ItemAttribute {
                        name: t(c, "ram:Description").unwrap_or_default(),
                        value: t(c, "ram:Value").unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
