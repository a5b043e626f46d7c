package catalog

import (
	"io"
	"strings"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/pdf"
)

// PDF renders the register for the controller as an A4 document, in lang,
// with the content of Markdown. created is the date printed on it and set in
// the file, so the same register and time give the same bytes.
func (r Register) PDF(w io.Writer, lang string, c Controller, created time.Time) error {
	in := func(m kluis.Msg) string { return m.In(lang) }
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	list := func(items []string) string { return strings.Join(items, "\n") }

	title := t("Register van verwerkingsactiviteiten", "Record of processing activities")
	footer := title
	if c.Name != "" {
		footer = c.Name + " · " + title
	}
	date := created.Format("02-01-2006")
	if lang == "en" {
		date = created.Format("2 January 2006")
	}
	d := pdf.New(pdf.Options{
		Title:    title,
		Subtitle: t("Opgesteld op "+date+" uit de persoonsgegevenscatalogus van kluis (AVG art. 30).", "Generated on "+date+" from kluis's personal-data catalogue (GDPR art. 30)."),
		Lang:     lang,
		Footer:   footer,
		Created:  created,
	})

	controller := [][2]string{{t("Verwerkingsverantwoordelijke", "Controller"), c.Name}}
	if c.Address != "" {
		controller = append(controller, [2]string{t("Adres", "Address"), c.Address})
	}
	if c.KvK != "" {
		controller = append(controller, [2]string{t("KvK-nummer", "Chamber of Commerce number"), c.KvK})
	}
	dpo := c.DPO()
	if dpo == "" {
		dpo = t("niet aangesteld", "none appointed")
	}
	controller = append(controller, [2]string{t("Functionaris gegevensbescherming", "Data protection officer"), dpo})
	d.KeyValues(controller)

	for _, a := range r.Activities {
		d.H2(in(PurposeLabel(a.Purpose)))
		recipients := t("geen", "none")
		if len(a.Recipients) > 0 {
			recipients = list(mapLabels(a.Recipients, func(x string) string { return in(recipientLabels[x]) }))
		}
		d.KeyValues([][2]string{
			{t("Grondslag", "Legal basis"), list(mapLabels(a.Bases, func(x Basis) string { return in(BasisLabel(x)) }))},
			{t("Betrokkenen", "Data subjects"), list(mapLabels(a.Subjects, func(x Subject) string { return in(SubjectLabel(x)) }))},
			{t("Gegevens", "Personal data"), list(mapLabels(a.Categories, func(x Category) string { return in(CategoryLabel(x)) }))},
			{t("Ontvangers", "Recipients"), recipients},
			{t("Doorgifte buiten de EER", "Transfers outside the EEA"), t("geen", "none")},
			{t("Bewaartermijnen", "Retention"), list(mapLabels(a.Rules, func(x Rule) string { return in(RuleLabel(x)) }))},
		})
	}

	d.H2(t("Beveiligingsmaatregelen", "Security measures"))
	d.Bullets(mapLabels(SecurityMeasures, in))
	return d.Write(w)
}
