//! Contacts: customers and suppliers, checked and kept in one form whoever enters them, with
//! their documents, open items and history.

use chrono::NaiveDate;
use kontor_domain::ContactData;
use kontor_domain::party::FieldProblem;
use kontor_storage::{
    Actor, AuditEntry, Contact, ContactQuery, DocumentQuery, DocumentSummary, IdempotencyKey, Once,
    Page, PageRequest, StoredResponse,
};

use crate::{App, Error, Result};

/// A new contact before anyone typed: a customer in Germany.
pub fn defaults() -> ContactData {
    ContactData {
        country: "DE".into(),
        is_customer: true,
        ..Default::default()
    }
}

/// The contact as it would be kept (codes normalised) and every problem with it; creating or
/// changing it is refused with the first.
pub fn check(data: ContactData) -> (ContactData, Vec<FieldProblem>) {
    let data = data.normalized();
    let problems = data.problems();
    (data, problems)
}

fn checked(data: &ContactData) -> Result<ContactData> {
    let (data, problems) = check(data.clone());
    Error::first_problem(problems)?;
    Ok(data)
}

/// How much of a contact's past its detail shows: documents, open invoices, audit entries.
const DETAIL_DOCUMENTS: i64 = 50;
const DETAIL_OPEN: i64 = 100;
const DETAIL_HISTORY: i64 = 50;

/// A contact with its latest documents, its open invoices and its history, as of `today`.
pub struct ContactDetail {
    pub contact: Contact,
    pub documents: Vec<DocumentSummary>,
    pub open: Vec<DocumentSummary>,
    pub history: Vec<AuditEntry>,
    pub today: NaiveDate,
}

/// The contact operations of one business.
pub struct Contacts<'a> {
    pub(crate) app: &'a App,
}

impl Contacts<'_> {
    pub async fn list(&self, query: &ContactQuery) -> Result<Page<Contact>> {
        Ok(self.app.store.list_contacts(query).await?)
    }

    pub async fn get(&self, id: i64) -> Result<Contact> {
        Ok(self.app.store.contact(id).await?)
    }

    pub async fn create(&self, actor: &Actor, data: &ContactData) -> Result<Contact> {
        let data = checked(data)?;
        Ok(self
            .app
            .store
            .create_contact_on(actor, &data, self.app.today())
            .await?)
    }

    /// Creates a contact once per idempotency key: a repeat returns the first answer.
    pub async fn create_once(
        &self,
        actor: &Actor,
        data: &ContactData,
        key: Option<&IdempotencyKey>,
        respond: impl FnOnce(&Contact) -> kontor_storage::Result<StoredResponse>,
    ) -> Result<Once<Contact>> {
        let data = checked(data)?;
        Ok(self
            .app
            .store
            .create_contact_once(actor, &data, self.app.today(), key, respond)
            .await?)
    }

    /// Replaces a contact's data; `archived` archives or restores it when given.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        data: &ContactData,
        archived: Option<bool>,
    ) -> Result<Contact> {
        let data = checked(data)?;
        Ok(self
            .app
            .store
            .update_contact(actor, id, &data, archived)
            .await?)
    }

    /// Archives (or restores) a contact as it is.
    pub async fn set_archived(&self, actor: &Actor, id: i64, archived: bool) -> Result<Contact> {
        let contact = self.get(id).await?;
        Ok(self
            .app
            .store
            .update_contact(actor, id, &contact.data, Some(archived))
            .await?)
    }

    /// Deletes a contact no document uses (a used one is archived instead).
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<()> {
        Ok(self.app.store.delete_contact(actor, id).await?)
    }

    /// A page of the contact's documents, or only its open invoices; statuses are those of
    /// today. Not found when there is no such contact.
    pub async fn documents(
        &self,
        id: i64,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<DocumentSummary>> {
        self.get(id).await?;
        self.documents_of(id, open_only, page).await
    }

    /// The contact with its latest documents, open invoices and audit entries.
    pub async fn detail(&self, id: i64) -> Result<ContactDetail> {
        let contact = self.get(id).await?;
        let first = |n| PageRequest::new(Some(1), Some(n));
        Ok(ContactDetail {
            contact,
            documents: self
                .documents_of(id, false, first(DETAIL_DOCUMENTS))
                .await?
                .items,
            open: self.documents_of(id, true, first(DETAIL_OPEN)).await?.items,
            history: self.history(id, DETAIL_HISTORY).await?,
            today: self.app.today(),
        })
    }

    async fn documents_of(
        &self,
        id: i64,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<DocumentSummary>> {
        let query = DocumentQuery {
            contact_id: Some(id),
            open_only,
            page,
            ..Default::default()
        };
        Ok(self
            .app
            .store
            .list_documents(&query, self.app.today())
            .await?)
    }

    /// The newest audit entries of a contact.
    pub async fn history(&self, id: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(self
            .app
            .store
            .audit_entries("contact", &id.to_string(), limit)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_normalises_and_names_every_problem() {
        let (data, problems) = check(ContactData {
            name: "Muster GmbH".into(),
            vat_id: kontor_domain::VatId::parse("de 123456789").ok(),
            sepa_debtor_iban: kontor_domain::Iban::parse("de02 1203 0000 0000 2020 51").ok(),
            ..defaults()
        });
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            data.vat_id.as_ref().map(|v| v.as_str()),
            Some("DE123456789")
        );
        assert_eq!(
            data.sepa_debtor_iban.as_ref().map(|v| v.as_str()),
            Some("DE02120300000000202051")
        );
        let (_, problems) = check(ContactData {
            country: "xx".into(),
            email: "nope".into(),
            ..defaults()
        });
        let fields: Vec<&str> = problems.iter().map(|p| p.0).collect();
        assert_eq!(fields, ["name", "country", "email"]);
        let refused = checked(&ContactData::default()).unwrap_err();
        assert_eq!(refused.field_name(), Some("name"));
        assert_eq!(refused.status(), 422);
    }

    #[tokio::test]
    async fn contacts_are_kept_normalised_and_archived_as_they_are() {
        let test = kontor_storage::testing::TestStore::new()
            .await
            .expect("store");
        let app = App::new(test.store.clone());
        let actor = Actor::user("chef");
        let contacts = app.contacts();
        let data = ContactData {
            name: "Muster GmbH".into(),
            vat_id: kontor_domain::VatId::parse("de 123456789").ok(),
            ..defaults()
        };
        let contact = contacts.create(&actor, &data).await.unwrap();
        assert_eq!(
            contact.data.vat_id.as_ref().map(|v| v.as_str()),
            Some("DE123456789")
        );
        let refused = contacts
            .update(&actor, contact.id, &ContactData::default(), None)
            .await
            .unwrap_err();
        assert_eq!(refused.field_name(), Some("name"));
        let archived = contacts
            .set_archived(&actor, contact.id, true)
            .await
            .unwrap();
        assert!(archived.archived);
        assert_eq!(archived.data, contact.data);
        let detail = contacts.detail(contact.id).await.unwrap();
        assert!(detail.documents.is_empty() && detail.open.is_empty());
        assert_eq!(detail.history.len(), 2, "created and archived");
        let missing = contacts
            .documents(contact.id + 1, false, PageRequest::default())
            .await
            .unwrap_err();
        assert_eq!(missing.status(), 404);
    }
}
