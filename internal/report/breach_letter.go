package report

import (
	"io"
	"strconv"
	"strings"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/pdf"
)

// BreachLetter writes the letter of art. 34 to a candidate concerned by a
// data breach, in Dutch or English: in clear and plain language what
// happened (the privacy officer's account, which also gives the likely
// consequences and the measures taken, art. 34(2) with 33(3)(c) and (d)),
// which kinds of their data were involved, when it was discovered, the
// data protection officer's contact (33(3)(b)) and the right to complain
// to the AP. It is dated day and addressed to the candidate.
func BreachLetter(w io.Writer, ctl catalog.Controller, to Addressee, b *kluis.Breach, lang string, day kluis.Date, loc *time.Location) error {
	l := &Letter{Controller: ctl, To: to, Lang: lang, Date: day.Time()}
	sender := ctl.Name
	if ctl.Address != "" {
		sender += " · " + ctl.Address
	}
	subject := l.t("Een datalek waarbij uw gegevens betrokken zijn", "A data breach involving your personal data")
	d := pdf.New(pdf.Options{Title: subject, Subtitle: sender, Lang: lang,
		Footer: ctl.Name + " · " + l.t("datalek ", "data breach ") + strconv.FormatInt(b.ID, 10), Created: l.Date})
	if to.Name != "" {
		d.Para(strings.Join(append([]string{to.Name}, to.Lines...), "\n"))
	}
	cats := make([]string, len(b.Categories))
	for i, c := range b.Categories {
		cats[i] = kluis.BreachCategories.Label(c, lang)
	}
	pairs := [][2]string{
		{l.t("Datum", "Date"), l.date(day)},
		{l.t("Ons kenmerk", "Our reference"), l.t("datalek ", "data breach ") + strconv.FormatInt(b.ID, 10)},
		{l.t("Ontdekt op", "Discovered on"), l.date(kluis.DateOf(b.DiscoveredAt.In(loc)))},
	}
	if len(cats) > 0 {
		pairs = append(pairs, [2]string{l.t("Betrokken gegevens", "Data involved"), strings.Join(cats, ", ")})
	}
	d.KeyValues(pairs)
	if to.Name != "" {
		d.Para(l.t("Beste "+to.Name+",", "Dear "+to.Name+","))
	} else {
		d.Para(l.t("Geachte heer, mevrouw,", "Dear Sir or Madam,"))
	}
	d.Para(l.t("Wij moeten u laten weten dat er bij "+ctl.Name+" een datalek is geweest waarbij uw persoonsgegevens betrokken zijn. Wij informeren u hierover omdat de wet dat vraagt wanneer een datalek een hoog risico voor u kan hebben (artikel 34 van de Algemene verordening gegevensbescherming, AVG).",
		"We must let you know that "+ctl.Name+" had a data breach involving your personal data. We are telling you because the law asks us to when a breach may pose a high risk to you (article 34 of the General Data Protection Regulation, GDPR)."))
	d.H2(l.t("Wat er is gebeurd, de gevolgen en wat wij doen", "What happened, the consequences and what we do"))
	for _, para := range strings.Split(b.NoticeText, "\n\n") {
		if strings.TrimSpace(para) != "" {
			d.Para(para)
		}
	}
	dpo := ctl.DPO()
	if dpo == "" {
		dpo = ctl.Name
	}
	d.H2(l.t("Vragen", "Questions"))
	d.Para(l.t("Heeft u vragen over dit datalek of over uw gegevens, neem dan contact op met onze functionaris voor gegevensbescherming: "+dpo+". U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).",
		"If you have questions about this breach or about your data, contact our data protection officer: "+dpo+". You can also lodge a complaint with the Dutch Data Protection Authority, the Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl)."))
	d.Para(l.t("Met vriendelijke groet,", "Kind regards,") + "\n\n" + ctl.Name + "\n" + l.t("Privacyfunctionaris", "Privacy officer"))
	return d.Write(w)
}
