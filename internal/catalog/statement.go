package catalog

import (
	"fmt"
	"strings"

	"kluis/internal/kluis"
)

// The privacy statement's tables come from the catalogue, as the register
// does, so that what the statement tells candidates cannot drift from
// what kluis does. The statement's Markdown holds placeholders
// (kluis.StatementPlaceholders); FillStatement replaces them, in the
// statement's language, with Markdown made from the candidate part of the
// register and the agency's details.

// rights are the data subject's rights (GDPR art. 15–22, 7(3), 77).
var rights = []kluis.Msg{
	{NL: "**Inzage**: u mag weten welke gegevens wij van u hebben en wat wij ermee doen.", EN: "**Access**: you may know which data we hold about you and what we do with them."},
	{NL: "**Correctie**: kloppen uw gegevens niet, dan verbeteren wij ze.", EN: "**Rectification**: if your data are wrong, we correct them."},
	{NL: "**Verwijdering**: u kunt vragen uw gegevens te wissen, voor zover de wet ons niet verplicht ze te bewaren.", EN: "**Erasure**: you can ask us to erase your data, unless the law requires us to keep them."},
	{NL: "**Beperking**: u kunt vragen het gebruik van uw gegevens tijdelijk te beperken.", EN: "**Restriction**: you can ask us to limit the use of your data for a while."},
	{NL: "**Bezwaar**: u kunt bezwaar maken tegen gebruik op grond van ons gerechtvaardigd belang.", EN: "**Objection**: you can object to use based on our legitimate interest."},
	{NL: "**Overdraagbaarheid**: u kunt de gegevens die u ons gaf in een gangbaar bestand krijgen.", EN: "**Portability**: you can receive the data you gave us in a common file format."},
	{NL: "**Toestemming intrekken**: een toestemming kunt u altijd weer intrekken.", EN: "**Withdrawing consent**: you can always withdraw a consent."},
	{NL: "**Klacht**: u kunt een klacht indienen bij de Autoriteit Persoonsgegevens.", EN: "**Complaint**: you can complain to the Dutch Data Protection Authority."},
}

// FillStatement replaces the placeholders in text (in either spelling)
// with the catalogue's words in lang. reg is the candidate part of the
// register (Catalog.RegisterOf(Candidate)).
func FillStatement(text, lang string, reg Register, c Controller) string {
	in := func(m kluis.Msg) string { return m.In(lang) }
	t := func(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(lang) }
	list := func(items []string) string {
		if len(items) == 0 {
			return "- " + t("geen", "none")
		}
		return "- " + strings.Join(items, "\n- ")
	}
	var purposes, categories, retention, recipients []string
	seenCat, seenRule, seenRec := map[Category]bool{}, map[Rule]bool{}, map[string]bool{}
	for _, a := range reg.Activities {
		bases := mapLabels(a.Bases, func(x Basis) string { return in(BasisLabel(x)) })
		purposes = append(purposes, fmt.Sprintf("**%s** — %s: %s", in(PurposeLabel(a.Purpose)), t("grondslag", "legal basis"), strings.Join(bases, "; ")))
		for _, x := range a.Categories {
			if !seenCat[x] {
				seenCat[x] = true
				categories = append(categories, in(CategoryLabel(x)))
			}
		}
		for _, x := range a.Rules {
			if !seenRule[x] {
				seenRule[x] = true
				retention = append(retention, in(RuleLabel(x)))
			}
		}
		for _, x := range a.Recipients {
			if !seenRec[x] {
				seenRec[x] = true
				recipients = append(recipients, in(recipientLabels[x]))
			}
		}
	}
	var rs []string
	for _, r := range rights {
		rs = append(rs, in(r))
	}
	controller := "**" + mdEscape(c.Name) + "**"
	if c.Address != "" {
		controller += "  \n" + mdEscape(c.Address)
	}
	if c.KvK != "" {
		controller += "  \n" + t("KvK-nummer", "Chamber of Commerce number") + ": " + mdEscape(c.KvK)
	}
	dpo := mdEscape(c.DPO())
	if dpo == "" {
		dpo = t("niet aangesteld", "none appointed")
	}
	values := map[string]string{
		"purposes": list(purposes), "categories": list(categories), "retention": list(retention), "recipients": list(recipients),
		"rights": list(rs), "controller": controller, "dpo": dpo,
	}
	var pairs []string
	for _, p := range kluis.StatementPlaceholders {
		pairs = append(pairs, p.Label.NL, values[p.Value], p.Label.EN, values[p.Value])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
