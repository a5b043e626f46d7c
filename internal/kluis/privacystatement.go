package kluis

import (
	"strings"
	"time"
)

// PrivacyStatement is one version of an agency's privacy statement
// (privacyverklaring, GDPR art. 13 and 14): Markdown in Dutch and English,
// published by the privacy officer. Versions are numbered 1, 2, … per
// agency; a published version is never changed, and the newest is the
// current one. The text may hold placeholders (StatementPlaceholders) that
// are filled from the catalogue and the agency's settings when it is shown.
type PrivacyStatement struct {
	TenantID    ID        `json:"-"`
	Version     int       `json:"version"`
	TextNL      string    `json:"text_nl"`
	TextEN      string    `json:"text_en"`
	PublishedBy ID        `json:"published_by,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	// FilledNL and FilledEN are the texts as published: the placeholders
	// filled from the catalogue and the agency's details at that moment.
	// Empty for a version published before kluis kept them.
	FilledNL string `json:"-"`
	FilledEN string `json:"-"`
}

// Filled is the text as published in lang ("en" or else Dutch); "" when
// it was not kept.
func (s *PrivacyStatement) Filled(lang string) string {
	if lang == "en" {
		return s.FilledEN
	}
	return s.FilledNL
}

// Text is the Markdown in lang ("en" or else Dutch).
func (s *PrivacyStatement) Text(lang string) string {
	if lang == "en" {
		return s.TextEN
	}
	return s.TextNL
}

// MaxStatementText bounds each language's text.
const MaxStatementText = 100_000

// Validate checks a new version's texts: both languages are required, so
// that every candidate can read it.
func (s *PrivacyStatement) Validate() error {
	p := Problems{}
	for _, f := range []struct {
		name string
		v    *string
	}{{"text_nl", &s.TextNL}, {"text_en", &s.TextEN}} {
		*f.v = strings.TrimSpace(strings.ReplaceAll(*f.v, "\r\n", "\n"))
		switch {
		case *f.v == "":
			p.Add(f.name, "Vul de tekst in.", "Fill in the text.")
		case len(*f.v) > MaxStatementText:
			p.Add(f.name, "De tekst is te lang (hoogstens 100.000 tekens).", "The text is too long (at most 100,000 characters).")
		}
	}
	return p.Err()
}

// StatementPlaceholders are the placeholders a statement may hold, each
// in its Dutch and English spelling: kluis fills them when the statement
// is shown, from the catalogue (purposes, data, terms, recipients), a
// fixed text (the rights) and the agency's settings (controller, DPO).
var StatementPlaceholders = []Choice{
	{"purposes", Msg{"{{doeleinden}}", "{{purposes}}"}},
	{"categories", Msg{"{{gegevens}}", "{{categories}}"}},
	{"retention", Msg{"{{bewaartermijnen}}", "{{retention}}"}},
	{"recipients", Msg{"{{ontvangers}}", "{{recipients}}"}},
	{"rights", Msg{"{{rechten}}", "{{rights}}"}},
	{"controller", Msg{"{{verantwoordelijke}}", "{{controller}}"}},
	{"dpo", Msg{"{{fg}}", "{{dpo}}"}},
}

// DefaultStatement is the text an agency starts from, in lang.
func DefaultStatement(lang string) string {
	if lang == "en" {
		return defaultStatementEN
	}
	return defaultStatementNL
}

const defaultStatementNL = `# Privacyverklaring

Wij bemiddelen u naar werk. Daarvoor hebben wij persoonsgegevens van u nodig. In deze verklaring leest u welke gegevens wij verwerken, waarom, hoe lang wij ze bewaren, aan wie wij ze geven en welke rechten u hebt.

## Wie is verantwoordelijk

{{verantwoordelijke}}

Functionaris gegevensbescherming: {{fg}}

## Waarvoor wij uw gegevens gebruiken

{{doeleinden}}

## Welke gegevens wij verwerken

{{gegevens}}

## Hoe lang wij uw gegevens bewaren

{{bewaartermijnen}}

## Aan wie wij uw gegevens geven

{{ontvangers}}

Wij geven geen gegevens door naar landen buiten de Europese Economische Ruimte.

## Uw rechten

{{rechten}}

Hebt u een klacht over hoe wij met uw gegevens omgaan? Neem dan contact met ons op. U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens ([autoriteitpersoonsgegevens.nl](https://autoriteitpersoonsgegevens.nl)).
`

const defaultStatementEN = `# Privacy statement

We help you find work. For that we need personal data of yours. This statement tells you which data we process, why, how long we keep them, to whom we give them and what your rights are.

## Who is responsible

{{controller}}

Data protection officer: {{dpo}}

## What we use your data for

{{purposes}}

## Which data we process

{{categories}}

## How long we keep your data

{{retention}}

## To whom we give your data

{{recipients}}

We do not transfer data to countries outside the European Economic Area.

## Your rights

{{rights}}

Do you have a complaint about how we handle your data? Contact us. You can also complain to the Dutch Data Protection Authority ([autoriteitpersoonsgegevens.nl](https://autoriteitpersoonsgegevens.nl)).
`

// StatementChannels are how a candidate was informed of the statement.
var StatementChannels = Choices{
	{"desk", Msg{"aan de balie", "at the desk"}},
	{"check-in", Msg{"bij de inschrijving", "at check-in"}},
	{"portal", Msg{"in het portaal", "in the portal"}},
	{"email", Msg{"per e-mail", "by e-mail"}},
}
