package report

import (
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/pdf"
)

// The parts of the record card about the candidate's rights of art. 16,
// 18 and 19: the banner of a restriction of processing, the supplementary
// statements, the restrictions and the organisations told of a request.

// restrictionBanner opens the card when the candidate's processing is
// restricted (art. 18): every screen and document that shows them says so.
func (rc *RecordCard) restrictionBanner(d *pdf.Doc, t func(nl, en string) string, lang string) {
	var active []string
	for _, x := range rc.Restrictions {
		if x.Active() {
			active = append(active, kluis.RestrictionGrounds.Label(x.Ground, lang)+" — "+t("sinds ", "since ")+day(x.StartedOn))
		}
	}
	if len(active) == 0 {
		return
	}
	d.H1(t("Verwerking beperkt (art. 18 AVG)", "Processing restricted (art. 18 GDPR)"))
	d.Para(t("Uw gegevens worden op uw verzoek alleen bewaard: niet gebruikt, gewijzigd of gewist, tot wij u laten weten dat de beperking wordt opgeheven.",
		"At your request your data are only stored: not used, changed or erased, until we tell you the restriction will be lifted."))
	d.Bullets(active)
}

// statementsSection lists the supplementary statements (art. 16).
func (rc *RecordCard) statementsSection(d *pdf.Doc, t func(nl, en string) string) {
	if len(rc.Statements) == 0 {
		return
	}
	d.H1(t("Uw aanvullende verklaringen", "Your supplementary statements"))
	for _, s := range rc.Statements {
		d.Small(day(kluis.DateOf(s.CreatedAt)))
		d.Para(s.Body)
	}
}

// rightsSection lists the restrictions and the notices to recipients.
func (rc *RecordCard) rightsSection(d *pdf.Doc, t func(nl, en string) string, lang string) {
	if len(rc.Restrictions) > 0 {
		d.H1(t("Beperkingen van de verwerking", "Restrictions of processing"))
		var rows [][]string
		for _, x := range rc.Restrictions {
			state := t("loopt", "in force")
			if !x.Active() {
				state = t("opgeheven ", "lifted ") + day(x.LiftedOn)
			}
			if x.Outcome != "" {
				state += "; " + kluis.ObjectionOutcomes.Label(x.Outcome, lang)
			}
			ground := kluis.RestrictionGrounds.Label(x.Ground, lang)
			if x.Note != "" {
				ground += ": " + x.Note
			}
			rows = append(rows, []string{ground, day(x.StartedOn), state})
		}
		d.Table([]pdf.Column{{Header: t("Grond", "Ground"), Width: 2.5}, {Header: t("Vanaf", "From"), Width: 1}, {Header: t("Stand", "State"), Width: 2.5}}, rows)
	}
	var told []string
	for _, n := range rc.Notices {
		if n.ToCandidate {
			continue
		}
		s := n.Recipient + " — " + kluis.NoticeSubjects.Label(n.About, lang) + ", " + strings.ToLower(kluis.NoticeChannels.Label(n.Channel, lang))
		if n.SentOn != "" {
			s += ", " + day(n.SentOn)
		}
		told = append(told, s)
	}
	if len(told) > 0 {
		d.H1(t("Organisaties die wij over uw verzoeken berichtten (art. 19 AVG)", "Organisations we told of your requests (art. 19 GDPR)"))
		d.Bullets(told)
	}
}
