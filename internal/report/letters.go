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

// Response letters to a candidate's request (LEGAL.md §3), as PDFs kept
// with the request: the answer to an access request (a cover letter that
// lists what is enclosed), the notice that the deadline is extended (art.
// 12(3)), a refusal (art. 12(4), (5)) and the answer to an erasure
// request (art. 17(3)). The erasure letter names nobody: it refers to the
// request by its number, so that it stays readable proof once the
// candidate is gone; the others are addressed to the candidate and are
// kept sealed with the candidate's key.

// Addressee is whom a letter goes to: the candidate's name and postal
// address, as kluis has them.
type Addressee struct {
	Name  string
	Lines []string
}

// AddresseeOf takes the name and address of a candidate.
func AddresseeOf(c *kluis.Candidate) Addressee {
	a := Addressee{Name: c.Name()}
	street := strings.TrimSpace(strings.Join(strings.Fields(c.Street+" "+c.HouseNumber+" "+c.HouseNumberAddition), " "))
	for _, l := range []string{street, strings.TrimSpace(c.Postcode + "  " + c.City)} {
		if l != "" {
			a.Lines = append(a.Lines, l)
		}
	}
	if c.Country != "" && !strings.EqualFold(c.Country, "NL") && !strings.EqualFold(c.Country, "Nederland") {
		a.Lines = append(a.Lines, c.Country)
	}
	return a
}

// Letter is what every letter starts from.
type Letter struct {
	Controller catalog.Controller
	Date       time.Time
	Request    kluis.Request
	To         Addressee // empty in the erasure letter
	Lang       string
}

func (l *Letter) t(nl, en string) string { return kluis.Msg{NL: nl, EN: en}.In(l.Lang) }

func (l *Letter) date(d kluis.Date) string {
	if d == "" {
		return "—"
	}
	if l.Lang == "en" {
		return d.Time().Format("2 January 2006")
	}
	return dutchDate(d.Time())
}

var dutchMonths = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

func dutchDate(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + dutchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// start lays out the head of a letter: sender, addressee, date, the
// request it answers and the salutation.
func (l *Letter) start(subject string, loc *time.Location) *pdf.Doc {
	ctl := l.Controller
	sender := ctl.Name
	if ctl.Address != "" {
		sender += " · " + ctl.Address
	}
	d := pdf.New(pdf.Options{Title: subject, Subtitle: sender, Lang: l.Lang,
		Footer:  ctl.Name + " · " + l.t("verzoek ", "request ") + strconv.FormatInt(l.Request.ID, 10),
		Created: l.Date})
	if l.To.Name != "" {
		d.Para(strings.Join(append([]string{l.To.Name}, l.To.Lines...), "\n"))
	}
	q := l.Request
	d.KeyValues([][2]string{
		{l.t("Datum", "Date"), l.date(kluis.DateOf(l.Date.In(loc)))},
		{l.t("Uw verzoek", "Your request"), kluis.RequestKinds.Label(q.Kind, l.Lang) + ", " + l.t("ontvangen op ", "received on ") + l.date(q.ReceivedOn)},
		{l.t("Ons kenmerk", "Our reference"), l.t("verzoek ", "request ") + strconv.FormatInt(q.ID, 10)},
	})
	if l.To.Name != "" {
		d.Para(l.t("Beste "+l.To.Name+",", "Dear "+l.To.Name+","))
	} else {
		d.Para(l.t("Geachte heer, mevrouw,", "Dear Sir or Madam,"))
	}
	return d
}

// finish closes a letter with the contact for questions, the right to
// complain, and the signature.
func (l *Letter) finish(d *pdf.Doc, w io.Writer) error {
	ctl := l.Controller
	dpo := ctl.DPO()
	if dpo == "" {
		dpo = ctl.Name
	}
	d.Para(l.t("Heeft u vragen, neem dan contact op met "+dpo+". Bent u het niet eens met hoe wij uw verzoek hebben behandeld, dan kunt u een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl) of naar de rechter gaan.",
		"If you have questions, contact "+dpo+". If you disagree with how we handled your request, you can lodge a complaint with the Dutch Data Protection Authority, the Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl), or go to court."))
	d.Para(l.t("Met vriendelijke groet,", "Kind regards,") + "\n\n" + ctl.Name + "\n" + l.t("Privacyfunctionaris", "Privacy officer"))
	return d.Write(w)
}

// Enclosure is one thing sent with the access answer.
type Enclosure struct {
	Name string    // the file name
	What kluis.Msg // what it is
}

// AccessLetter writes the cover letter of the answer to an access request
// (art. 15) or a portability request (art. 20): what is enclosed, and in
// which forms.
func (l *Letter) AccessLetter(w io.Writer, enclosed []Enclosure, loc *time.Location) error {
	portable := l.Request.Kind == "portability"
	var d *pdf.Doc
	if portable {
		d = l.start(l.t("Uw verzoek om overdraagbaarheid", "Your request for data portability"), loc)
		d.Para(l.t("U vroeg ons de persoonsgegevens die u ons zelf hebt verstrekt, in een gestructureerde, gangbare en machineleesbare vorm (artikel 20 van de Algemene verordening gegevensbescherming, AVG). Hierbij ontvangt u ze, kosteloos: u mag ze aan een andere organisatie geven.",
			"You asked us for the personal data you gave us yourself, in a structured, commonly used and machine-readable format (article 20 of the General Data Protection Regulation, GDPR). Enclosed are those data, free of charge: you may give them to another organisation."))
	} else {
		d = l.start(l.t("Uw verzoek om inzage", "Your request for access"), loc)
		d.Para(l.t("U vroeg ons welke persoonsgegevens wij van u bewaren (artikel 15 van de Algemene verordening gegevensbescherming, AVG). Hierbij ontvangt u een volledig overzicht, kosteloos.",
			"You asked us which personal data we keep about you (article 15 of the General Data Protection Regulation, GDPR). Enclosed is a complete overview, free of charge."))
	}
	d.H2(l.t("Bijgevoegd", "Enclosed"))
	var items []string
	for _, e := range enclosed {
		items = append(items, e.Name+" — "+e.What.In(l.Lang))
	}
	d.Bullets(items)
	if portable {
		d.Para(l.t("Gegevens die wij zelf over u vastlegden of die wij op grond van de wet bewaren (zoals uw burgerservicenummer), horen hier niet bij; wilt u weten wat wij verder van u bewaren, vraag dan om inzage (artikel 15).",
			"Data we recorded about you ourselves or keep by law (such as your citizen service number) are not part of this; to know what else we keep about you, ask for access (article 15)."))
	} else {
		d.Para(l.t("De stamkaart noemt ook waarvoor wij uw gegevens gebruiken, aan wie wij ze verstrekken, hoe lang wij ze bewaren, waar ze vandaan komen en welke rechten u heeft.",
			"The record card also says what we use your data for, to whom we give them, how long we keep them, where they come from and which rights you have."))
	}
	return l.finish(d, w)
}

// ExtensionLetter writes the notice that the deadline is extended by two
// months (art. 12(3)), with the reason, sent within the first month.
func (l *Letter) ExtensionLetter(w io.Writer, reason string, newDue kluis.Date, loc *time.Location) error {
	d := l.start(l.t("Wij hebben meer tijd nodig voor uw verzoek", "We need more time for your request"), loc)
	first := kluis.RequestDue(l.Request.ReceivedOn)
	d.Para(l.t("Wij moeten uw verzoek binnen een maand beantwoorden, uiterlijk op "+l.date(first)+". Dat lukt niet: wij verlengen die termijn met twee maanden, zoals artikel 12, derde lid, van de AVG toestaat. U krijgt ons antwoord uiterlijk op "+l.date(newDue)+".",
		"We must answer your request within one month, by "+l.date(first)+". We cannot: we extend that term by two months, as article 12(3) of the GDPR allows. You will have our answer by "+l.date(newDue)+" at the latest."))
	d.H2(l.t("Waarom", "Why"))
	d.Para(reason)
	return l.finish(d, w)
}

// RefusalLetter writes the refusal of a request, with its reason (art.
// 12(4)): the request is manifestly unfounded or excessive, or the
// requester's identity could not be established.
func (l *Letter) RefusalLetter(w io.Writer, reason string, loc *time.Location) error {
	d := l.start(l.t("Wij kunnen uw verzoek niet inwilligen", "We cannot grant your request"), loc)
	d.Para(l.t("Wij hebben uw verzoek zorgvuldig bekeken, maar kunnen het niet inwilligen.", "We have looked at your request carefully, but cannot grant it."))
	d.H2(l.t("Waarom", "Why"))
	d.Para(reason)
	d.Para(l.t("U kunt uw verzoek altijd opnieuw indienen, bijvoorbeeld met een bewijs van uw identiteit.", "You can always make your request again, for instance with proof of your identity."))
	return l.finish(d, w)
}

// ErasureLetter writes the answer to an erasure request (art. 17) from
// the erasure record (nil: nothing could be erased): what was erased,
// what was kept, by which rule and until when, and why (art. 17(3)(b),
// (e)), and which organisations that had received the data were told to
// erase them too (art. 19). It holds no personal data: categories, rules,
// dates and the names of organisations only.
func (l *Letter) ErasureLetter(w io.Writer, e *kluis.Erasure, notified []string, loc *time.Location) error {
	d := l.start(l.t("Uw verzoek om uw gegevens te wissen", "Your request to erase your data"), loc)
	d.Para(l.t("U vroeg ons uw persoonsgegevens te wissen (artikel 17 AVG). Wij hebben dat gedaan, zonder te wachten tot de gewone bewaartermijnen voorbij zijn.",
		"You asked us to erase your personal data (article 17 GDPR). We have done so, without waiting for the usual retention terms to end."))
	switch {
	case e == nil:
		d.Para(l.t("Wij konden nog niets wissen: alle gegevens die wij van u hebben, moeten wij volgens de wet nog bewaren (zie hieronder).",
			"We could not erase anything yet: the law still requires us to keep all data we have about you (see below)."))
	case e.Complete:
		d.Para(l.t("Alle gegevens die wij van u hadden zijn gewist op "+l.date(kluis.DateOf(e.At.In(loc)))+". Wij bewaren niets meer dat naar u te herleiden is; ook de sleutel waarmee uw documenten en gevoelige gegevens versleuteld waren, is vernietigd.",
			"All data we had about you were erased on "+l.date(kluis.DateOf(e.At.In(loc)))+". We keep nothing that can be traced to you; the key with which your documents and sensitive data were encrypted was destroyed too."))
	default:
		d.Para(l.t("Op "+l.date(kluis.DateOf(e.At.In(loc)))+" hebben wij gewist wat de wet ons niet verplicht te bewaren.",
			"On "+l.date(kluis.DateOf(e.At.In(loc)))+" we erased what the law does not oblige us to keep."))
	}
	if e != nil && len(e.Erased) > 0 {
		d.H2(l.t("Gewist", "Erased"))
		var rows [][]string
		for _, g := range e.Erased {
			rows = append(rows, []string{orKey(catalog.CategoryLabel(catalog.Category(g.Category)).In(l.Lang), g.Category)})
		}
		d.Table([]pdf.Column{{Header: l.t("Soort gegevens", "Kind of data"), Width: 1}}, dedupe(rows))
	}
	if e != nil && len(e.Kept) > 0 {
		d.H2(l.t("Bewaard, en waarom", "Kept, and why"))
		var rows [][]string
		for _, k := range e.Kept {
			until := l.t("nog niet te bepalen", "not yet known")
			if k.Until != "" {
				until = l.date(k.Until)
			}
			why := orKey(catalog.RuleLabel(catalog.Rule(k.Rule)).In(l.Lang), k.Rule)
			if k.Held {
				why += l.t(" — er loopt een wettelijke bewaarplicht (bijvoorbeeld een geschil)", " — a legal hold applies (a dispute, for instance)")
			}
			rows = append(rows, []string{orKey(catalog.CategoryLabel(catalog.Category(k.Category)).In(l.Lang), k.Category), why, until})
		}
		d.Table([]pdf.Column{{Header: l.t("Soort gegevens", "Kind of data"), Width: 1.4}, {Header: l.t("Regel die het vereist", "Rule that requires it"), Width: 3},
			{Header: l.t("Tot", "Until"), Width: 1}}, rows)
		d.Para(l.t("Deze gegevens moeten wij bewaren om aan een wettelijke plicht te voldoen (artikel 17, derde lid, onder b, AVG), of voor een rechtsvordering (onder e). Tot de termijn voorbij is, zijn ze afgeschermd: alleen de salarisadministratie en de privacyfunctionaris kunnen ze inzien, en wij gebruiken ze nergens anders voor. Daarna wissen wij ze zonder dat u het opnieuw hoeft te vragen.",
			"We must keep these data to meet a legal obligation (article 17(3)(b) GDPR), or for a legal claim (point (e)). Until the term ends they are locked away: only payroll and the privacy officer can see them, and we use them for nothing else. After that we erase them without your having to ask again."))
	}
	if len(notified) > 0 {
		d.H2(l.t("Ingelichte organisaties", "Organisations informed"))
		d.Para(l.t("Deze organisaties hadden uw gegevens van ons ontvangen. Wij hebben hun gevraagd die ook te wissen (artikel 19 AVG):",
			"These organisations had received your data from us. We asked them to erase them too (article 19 GDPR):"))
		var rows [][]string
		for _, n := range notified {
			rows = append(rows, []string{n})
		}
		d.Table([]pdf.Column{{Header: l.t("Organisatie", "Organisation"), Width: 1}}, rows)
	}
	if e != nil {
		d.Small(l.t("Bewijs van het wissen: wisbewijs "+strconv.FormatInt(e.ID, 10)+". Dit bewijs en uw verzoek bevatten geen gegevens waarmee u te herkennen bent.",
			"Proof of the erasure: erasure record "+strconv.FormatInt(e.ID, 10)+". This proof and your request hold no data by which you can be identified."))
	}
	return l.finish(d, w)
}

func orKey(label, key string) string {
	if label == "" {
		return key
	}
	return label
}

func dedupe(rows [][]string) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, r := range rows {
		k := strings.Join(r, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}
