package catalog

import "kluis/internal/kluis"

// roles is a visibility profile: what each role may do with a field.
type roles = map[kluis.Role]Access

const (
	recruiter   = kluis.RoleRecruiter
	payroll     = kluis.RolePayroll
	manager     = kluis.RoleManager
	privacy     = kluis.RolePrivacy
	admin       = kluis.RoleAdmin
	integration = kluis.RoleIntegration
)

// The profiles. The administrator sees no candidate data (separation of
// duties); the privacy officer reads everything, to answer requests; the
// BSN, the IBAN and identity documents are for payroll.
func workProfile() roles {
	return roles{recruiter: Write, manager: Write, payroll: Read, privacy: Read, integration: Read}
}
func bsnProfile() roles {
	return roles{payroll: Write, integration: Write, privacy: Read, recruiter: Masked, manager: Masked}
}
func ibanProfile() roles {
	return roles{payroll: Write, integration: Read, privacy: Read, recruiter: Masked, manager: Masked}
}
func idNumberProfile() roles {
	return roles{payroll: Write, privacy: Read, recruiter: Masked, manager: Masked}
}
func idMetaProfile() roles {
	return roles{payroll: Write, recruiter: Write, manager: Write, privacy: Read}
}
func historyProfile() roles {
	return roles{recruiter: Write, manager: Write, privacy: Read}
}
func payrollProfile() roles {
	return roles{payroll: Write, integration: Write, privacy: Read}
}
func wageProfile() roles {
	return roles{recruiter: Write, manager: Write, payroll: Write, integration: Read, privacy: Read}
}
func disclosureProfile() roles {
	return roles{recruiter: Write, manager: Write, payroll: Write, privacy: Read}
}
func identityDocProfile() roles {
	return roles{payroll: Write, privacy: Read}
}
func contactPersonProfile() roles {
	return roles{recruiter: Write, manager: Write, payroll: Read, privacy: Read}
}
func staffProfile() roles {
	return roles{admin: Write, privacy: Read, recruiter: Read, manager: Read, payroll: Read}
}
func accountProfile() roles {
	return roles{admin: Read, privacy: Read}
}
func secretProfile() roles { return roles{} }

func msg(nl, en string) kluis.Msg { return kluis.Msg{NL: nl, EN: en} }

// candidateField declares a column of the candidates table.
func candidateField(column string, cat Category, label kluis.Msg, basis Basis, rules []Rule, access roles, purposes ...Purpose) Field {
	return Field{Table: "candidates", Column: column, Subject: Candidate, Category: cat, Label: label, Basis: basis,
		Retention: rules, Access: access, Purposes: purposes, Source: FromCandidate, Portable: true,
		Recipients: []string{"client", "payroll-provider"}}
}

var (
	// Registration data: at most 2 years after the last activity of a
	// candidate who never worked (R1), 2 years after the employment of one
	// who did (R3); name and date of birth also belong to the payroll
	// administration as long as that must be kept (R5).
	regRules     = []Rule{R1, R3}
	payrollIdent = []Rule{R1, R3, R5}
)

func fields() []Field {
	c := candidateField
	f := []Field{
		c("initials", Identity, msg("Voorletters", "Initials"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("first_name", Identity, msg("Voornaam", "First name"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("prefix", Identity, msg("Tussenvoegsel", "Prefix"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("last_name", Identity, msg("Achternaam", "Last name"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("date_of_birth", Identity, msg("Geboortedatum", "Date of birth"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("nationality", Identity, msg("Nationaliteit", "Nationality"), LegalObligation, []Rule{R1, R3, R6}, workProfile(), Identification),
		c("email", Contact, msg("E-mailadres", "E-mail address"), Contract, regRules, workProfile(), Mediation, EmploymentDuty),
		c("phone", Contact, msg("Telefoon", "Phone"), Contract, regRules, workProfile(), Mediation, EmploymentDuty),
		c("street", Contact, msg("Straat", "Street"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("house_number", Contact, msg("Huisnummer", "House number"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("house_number_addition", Contact, msg("Toevoeging", "Addition"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("postcode", Contact, msg("Postcode", "Postcode"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("city", Contact, msg("Woonplaats", "City"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("country", Contact, msg("Land", "Country"), Contract, payrollIdent, workProfile(), Mediation, PayrollAdmin),
		c("bsn", BSN, msg("BSN", "BSN"), LegalObligation, []Rule{R5}, bsnProfile(), PayrollAdmin),
		c("bsn_fingerprint", BSN, msg("Vingerafdruk van het BSN", "Fingerprint of the BSN"), LegalObligation, []Rule{R5}, secretProfile(), PayrollAdmin),
		c("iban", Financial, msg("IBAN", "IBAN"), Contract, []Rule{R5}, ibanProfile(), PayrollAdmin),
		c("id_document_type", IDDocument, msg("Soort identiteitsbewijs", "Kind of identity document"), LegalObligation, []Rule{R2, R4, R6}, idMetaProfile(), Identification),
		c("id_document_number", IDDocument, msg("Documentnummer", "Document number"), LegalObligation, []Rule{R2, R4, R6}, idNumberProfile(), Identification),
		c("id_document_expiry", IDDocument, msg("Geldig tot", "Valid until"), LegalObligation, []Rule{R2, R4, R6}, idMetaProfile(), Identification),
		c("id_recorded_on", IDDocument, msg("Identiteitsbewijs vastgelegd op", "Identity document recorded on"), LegalObligation, []Rule{R2, R4, R6}, idMetaProfile(), Identification),
		c("status", Employment, msg("Status", "Status"), Contract, regRules, workProfile(), Mediation),
		c("functions", Employment, msg("Functies", "Functions"), Contract, regRules, workProfile(), Mediation),
		c("availability", Employment, msg("Beschikbaarheid", "Availability"), Contract, regRules, workProfile(), Mediation),
		c("registered_on", Employment, msg("Inschrijfdatum", "Registration date"), Contract, regRules, workProfile(), Mediation),
		c("source", Employment, msg("Bron", "Source"), LegitimateInterest, regRules, workProfile(), Mediation, Accountability),
		c("language", Contact, msg("Taal voor berichten", "Language for messages"), Contract, regRules, workProfile(), Mediation),
	}
	for i := range f {
		switch f[i].Column {
		case "bsn":
			f[i].Mask, f[i].Sensitive, f[i].Portable = LastThree, true, false
			f[i].Reveal = []kluis.Role{manager}
			f[i].Recipients = []string{"payroll-provider", "tax-authority", "pension-fund", "uwv", "company-doctor"}
		case "bsn_fingerprint":
			f[i].Source, f[i].Portable, f[i].Recipients = FromAgency, false, nil
		case "iban":
			f[i].Mask, f[i].Sensitive = MaskIBAN, true
			f[i].Reveal = []kluis.Role{manager}
			f[i].Recipients = []string{"payroll-provider"}
		case "id_document_number":
			f[i].Mask, f[i].Sensitive, f[i].Portable = LastFour, true, false
			f[i].Reveal = []kluis.Role{manager}
			f[i].Recipients = []string{"payroll-provider", "tax-authority"}
		case "date_of_birth":
			f[i].Mask = YearOnly
		}
		// What an agency may choose not to ask at all (data minimisation).
		switch f[i].Column {
		case "nationality", "phone", "functions", "availability":
			f[i].Optional = true
		case "status", "registered_on", "source", "id_recorded_on":
			f[i].Source, f[i].Portable = FromAgency, false
		}
	}
	work := func(table, column string, cat Category, label kluis.Msg, rules []Rule, access roles, source Source, purposes ...Purpose) Field {
		return Field{Table: table, Column: column, Subject: Candidate, Category: cat, Label: label, Basis: Contract,
			Retention: rules, Access: access, Source: source, Purposes: purposes, Recipients: []string{"client", "payroll-provider"}}
	}
	f = append(f,
		// Placements: the personnel file (R3); the agreed wage is a salary
		// agreement and belongs to the payroll administration (R5), as do
		// the dates and the kind of contract, on which wage tax depends.
		work("placements", "function", Employment, msg("Functie", "Function"), []Rule{R3}, workProfile(), FromAgency, EmploymentDuty),
		work("placements", "start_date", Employment, msg("Begindatum", "Start date"), []Rule{R3, R5}, workProfile(), FromAgency, EmploymentDuty, PayrollAdmin),
		work("placements", "end_date", Employment, msg("Einddatum", "End date"), []Rule{R3, R5}, workProfile(), FromAgency, EmploymentDuty, PayrollAdmin),
		work("placements", "hourly_wage_cents", Payroll, msg("Uurloon", "Hourly wage"), []Rule{R5}, wageProfile(), FromAgency, PayrollAdmin),
		work("placements", "contract_kind", Employment, msg("Soort contract", "Contract kind"), []Rule{R3, R5}, workProfile(), FromAgency, EmploymentDuty, PayrollAdmin),

		work("contact_moments", "kind", History, msg("Soort contact", "Kind of contact"), regRules, historyProfile(), FromAgency, Mediation, Accountability),
		work("contact_moments", "at", History, msg("Tijdstip", "Time"), regRules, historyProfile(), FromAgency, Mediation, Accountability),
		work("contact_moments", "note", Notes, msg("Notitie", "Note"), regRules, historyProfile(), FromStaff, Mediation),

		work("documents", "kind", Documents, msg("Soort document", "Kind of document"), []Rule{R1, R2, R3, R4, R5, R6}, workProfile(), FromCandidate, Mediation),
		work("documents", "file_name", Documents, msg("Bestandsnaam", "File name"), []Rule{R1, R2, R3, R4, R5, R6}, workProfile(), FromCandidate, Mediation),
		work("documents", "content_type", Documents, msg("Bestandssoort", "File type"), []Rule{R1, R2, R3, R4, R5, R6}, workProfile(), FromCandidate, Mediation),
		work("documents", "size", Documents, msg("Grootte", "Size"), []Rule{R1, R2, R3, R4, R5, R6}, workProfile(), FromCandidate, Mediation),
		work("documents", "sha256", Documents, msg("Vingerafdruk van het bestand", "Fingerprint of the file"), []Rule{R1, R2, R3, R4, R5, R6}, workProfile(), FromAgency, Accountability),

		work("payroll_records", "year", Payroll, msg("Jaar", "Year"), []Rule{R5}, payrollProfile(), FromPayroll, PayrollAdmin),
		work("payroll_records", "period", Payroll, msg("Periode", "Period"), []Rule{R5}, payrollProfile(), FromPayroll, PayrollAdmin),
		work("payroll_records", "gross_cents", Payroll, msg("Brutoloon", "Gross pay"), []Rule{R5}, payrollProfile(), FromPayroll, PayrollAdmin),
		work("payroll_records", "net_cents", Payroll, msg("Nettoloon", "Net pay"), []Rule{R5}, payrollProfile(), FromPayroll, PayrollAdmin),

		// The disclosure register lives as long as the data it names may:
		// it is what art. 19 notices are sent from.
		work("disclosures", "recipient_kind", History, msg("Soort ontvanger", "Kind of recipient"), []Rule{R1, R3, R5}, disclosureProfile(), FromAgency, Accountability),
		work("disclosures", "recipient", History, msg("Ontvanger", "Recipient"), []Rule{R1, R3, R5}, disclosureProfile(), FromAgency, Accountability),
		work("disclosures", "categories", History, msg("Verstrekte gegevens", "Data disclosed"), []Rule{R1, R3, R5}, disclosureProfile(), FromAgency, Accountability),
		work("disclosures", "purpose", History, msg("Doel van de verstrekking", "Purpose of the disclosure"), []Rule{R1, R3, R5}, disclosureProfile(), FromAgency, Accountability),
		work("disclosures", "disclosed_at", History, msg("Verstrekt op", "Disclosed on"), []Rule{R1, R3, R5}, disclosureProfile(), FromAgency, Accountability),
	)
	for i := range f {
		switch f[i].Table + "." + f[i].Column {
		case "contact_moments.note":
			f[i].Sensitive = true
		case "disclosures.recipient_kind", "disclosures.recipient", "disclosures.categories", "disclosures.purpose", "disclosures.disclosed_at",
			"documents.sha256", "contact_moments.kind", "contact_moments.at":
			f[i].Recipients = nil
		}
	}

	contact := func(column string, label kluis.Msg) Field {
		return Field{Table: "client_contacts", Column: column, Subject: ClientContact, Category: Contact, Label: label,
			Basis: LegitimateInterest, Retention: []Rule{RClientContact}, Access: contactPersonProfile(), Source: FromClient,
			Purposes: []Purpose{ClientRelation}}
	}
	f = append(f,
		contact("name", msg("Naam", "Name")),
		contact("job_title", msg("Functie", "Job title")),
		contact("email", msg("E-mailadres", "E-mail address")),
		contact("phone", msg("Telefoon", "Phone")),
	)
	f[len(f)-4].Category = Identity

	staff := func(table, column string, cat Category, label kluis.Msg, rules []Rule, access roles) Field {
		return Field{Table: table, Column: column, Subject: Staff, Category: cat, Label: label, Basis: Contract,
			Retention: rules, Access: access, Source: FromStaff, Purposes: []Purpose{StaffAccess}}
	}
	f = append(f,
		staff("users", "email", Contact, msg("E-mailadres", "E-mail address"), []Rule{RAccount}, staffProfile()),
		staff("users", "name", Identity, msg("Naam", "Name"), []Rule{RAccount}, staffProfile()),
		staff("users", "role", Account, msg("Rol", "Role"), []Rule{RAccount}, staffProfile()),
		staff("users", "language", Account, msg("Taal", "Language"), []Rule{RAccount}, accountProfile()),
		staff("users", "password_hash", Account, msg("Wachtwoord (hash)", "Password (hash)"), []Rule{RAccount}, secretProfile()),
		staff("api_tokens", "name", Account, msg("Naam van het token", "Token name"), []Rule{RAccount}, accountProfile()),
		staff("api_tokens", "hash", Account, msg("Token (hash)", "Token (hash)"), []Rule{RAccount}, secretProfile()),
		staff("api_tokens", "expires_at", Account, msg("Verloopt op", "Expires on"), []Rule{RAccount}, accountProfile()),
		staff("api_tokens", "last_used_at", Account, msg("Laatst gebruikt", "Last used"), []Rule{R7}, accountProfile()),
		staff("sessions", "token_hash", Account, msg("Sessie (hash)", "Session (hash)"), []Rule{R7}, secretProfile()),
		staff("sessions", "last_seen_at", Account, msg("Laatst actief", "Last active"), []Rule{R7}, accountProfile()),
		staff("sessions", "expires_at", Account, msg("Sessie verloopt", "Session expires"), []Rule{R7}, accountProfile()),
	)
	// The contact of the data protection officer is published (art. 37(7));
	// it may name a person.
	dpo := func(column string, label kluis.Msg) Field {
		return Field{Table: "tenant_settings", Column: column, Subject: Staff, Category: Contact, Label: label,
			Basis: LegalObligation, Retention: []Rule{RAccount}, Access: staffProfile(), Source: FromAgency,
			Purposes: []Purpose{Accountability}}
	}
	f = append(f,
		dpo("dpo_name", msg("Naam van de functionaris gegevensbescherming", "Name of the data protection officer")),
		dpo("dpo_email", msg("E-mailadres van de functionaris gegevensbescherming", "E-mail address of the data protection officer")),
		dpo("dpo_phone", msg("Telefoon van de functionaris gegevensbescherming", "Phone of the data protection officer")),
	)
	// Log-in security and the logs are declared in files of their own.
	f = append(f, authFields()...)
	f = append(f, oidcFields()...)
	f = append(f, auditFields()...)
	f = append(f, retentionFields()...)
	f = append(f, outboxFields()...)
	f = append(f, requestFields()...)
	f = append(f, letterFields()...)
	f = append(f, portalFields()...)
	f = append(f, breachFields()...)
	f = append(f, restrictionFields()...)
	return f
}

func blobs() []Blob {
	// A file the candidate hands in comes from them; a contract the agency
	// draws up, pay slips and annual statements the payroll processing makes.
	src := map[string]Source{"contract": FromAgency, "pay-slip": FromPayroll, "annual-statement": FromPayroll}
	b := func(kind string, cat Category, basis Basis, rules []Rule, access roles, portable bool, purposes ...Purpose) Blob {
		label := msg(kind, kind)
		for _, c := range kluis.DocumentKinds {
			if c.Value == kind {
				label = c.Label
			}
		}
		source, ok := src[kind]
		if !ok {
			source = FromCandidate
		}
		return Blob{Kind: kind, Category: cat, Source: source, Label: label, Basis: basis, Retention: rules, Access: access,
			Sensitive: true, Portable: portable, Purposes: purposes}
	}
	return []Blob{
		b("cv", Documents, Contract, []Rule{R1, R3}, workProfile(), true, Mediation),
		b("certificate", Documents, Contract, []Rule{R1, R3}, workProfile(), true, Mediation),
		b("other", Documents, Contract, []Rule{R1, R3}, workProfile(), true, Mediation),
		optional(b("photo", Photo, Consent, []Rule{R1, R3}, identityDocProfile(), true, Identification)),
		b("id-copy", IDDocument, LegalObligation, []Rule{R2, R4, R6}, identityDocProfile(), false, Identification),
		b("work-permit", IDDocument, LegalObligation, []Rule{R6}, identityDocProfile(), false, Identification),
		b("payroll-tax-form", Payroll, LegalObligation, []Rule{R4}, payrollProfile(), false, PayrollAdmin),
		b("contract", Employment, Contract, []Rule{R3}, workProfile(), false, EmploymentDuty),
		b("pay-slip", Payroll, LegalObligation, []Rule{R5}, payrollProfile(), false, PayrollAdmin),
		b("annual-statement", Payroll, LegalObligation, []Rule{R5}, payrollProfile(), false, PayrollAdmin),
	}
}

func optional(b Blob) Blob { b.Optional = true; return b }

func nonPersonal() []NonPersonal {
	const (
		key     = "surrogate key: a number that means nothing outside kluis"
		tenant  = "the agency the row belongs to"
		ref     = "a reference to another row; the personal data are in that row"
		stamp   = "when the row was written: bookkeeping of the record, not of the person"
		version = "edit counter against lost updates"
		org     = "data of an organisation (agency, branch or client), not of a natural person"
		blobKey = "opaque, random key of the stored file; names nobody"
	)
	out := []NonPersonal{
		{"tenants", "id", key}, {"tenants", "slug", org}, {"tenants", "name", org}, {"tenants", "created_at", stamp},
		{"branches", "name", org}, {"branches", "city", org},
		{"users", "branch_id", ref},
		{"api_tokens", "user_id", ref}, {"api_tokens", "created_at", stamp},
		{"api_tokens", "scopes", "what the token may do: a closed list of scopes"},
		{"sessions", "user_id", ref}, {"sessions", "created_at", stamp},
		{"candidates", "branch_id", ref},
		{"clients", "branch_id", ref}, {"clients", "name", org}, {"clients", "kvk_number", org}, {"clients", "street", org},
		{"clients", "house_number", org}, {"clients", "postcode", org}, {"clients", "city", org}, {"clients", "country", org},
		{"clients", "email", org + " (the client's general address; contact persons are declared apart)"},
		{"clients", "phone", org + " (the client's general number; contact persons are declared apart)"},
		{"client_contacts", "client_id", ref},
		{"placements", "candidate_id", ref}, {"placements", "client_id", ref},
		{"contact_moments", "candidate_id", ref}, {"contact_moments", "user_id", ref},
		{"documents", "candidate_id", ref}, {"documents", "blob_key", blobKey}, {"documents", "user_id", ref},
		{"payroll_records", "candidate_id", ref}, {"payroll_records", "placement_id", ref}, {"payroll_records", "document_id", ref},
		{"disclosures", "candidate_id", ref}, {"disclosures", "client_id", ref}, {"disclosures", "user_id", ref},
		{"tenant_settings", "tenant_id", tenant}, {"tenant_settings", "address", org}, {"tenant_settings", "kvk_number", org},
		{"tenant_settings", "not_collected", "which optional data the agency has chosen not to collect, and since when"},
		{"tenant_settings", "r1_months", "the agency's own maximum term for R1, in months"},
		{"tenant_settings", "r3_months", "the agency's own maximum term for R3, in months"},
		{"tenant_settings", "field_access", "which role may see or change which catalogued field, where the agency differs from the catalogue"},
		{"tenant_settings", "version", version}, {"tenant_settings", "updated_at", stamp}, {"tenant_settings", "updated_by", ref},
	}
	for _, t := range []string{"branches", "users", "api_tokens", "sessions", "candidates", "clients", "client_contacts",
		"placements", "contact_moments", "documents", "payroll_records", "disclosures"} {
		out = append(out, NonPersonal{t, "tenant_id", tenant}, NonPersonal{t, "id", key})
	}
	for _, t := range []string{"candidates", "clients", "client_contacts", "placements", "contact_moments", "payroll_records"} {
		out = append(out, NonPersonal{t, "version", version})
	}
	for _, t := range []string{"users", "candidates", "clients", "client_contacts", "placements", "contact_moments", "documents",
		"payroll_records", "disclosures"} {
		out = append(out, NonPersonal{t, "created_at", stamp})
	}
	for _, t := range []string{"candidates", "clients", "client_contacts", "placements", "payroll_records"} {
		out = append(out, NonPersonal{t, "updated_at", stamp})
	}
	out = append(out, authNonPersonal()...)
	out = append(out, oidcNonPersonal()...)
	out = append(out, auditNonPersonal()...)
	out = append(out, retentionNonPersonal()...)
	out = append(out, erasureNonPersonal()...)
	out = append(out, outboxNonPersonal()...)
	out = append(out, requestNonPersonal()...)
	out = append(out, letterNonPersonal()...)
	out = append(out, restrictionNonPersonal()...)
	out = append(out, statementNonPersonal()...)
	out = append(out, portalNonPersonal()...)
	out = append(out, breachNonPersonal()...)
	return out
}

// derived are the generated columns (PostgreSQL only, migration 00035):
// the lower-case forms the searches compare, since under row-level
// security lower() in a condition keeps an index from serving it.
func derived() []Derived {
	const why = "lower-case form for the search index, generated by PostgreSQL"
	return []Derived{
		{"candidates", "last_name_key", "last_name", why},
		{"candidates", "city_key", "city", why},
		{"candidates", "email_key", "email", why},
	}
}
