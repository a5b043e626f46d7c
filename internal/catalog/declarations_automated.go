package catalog

import "kluis/internal/kluis"

// AutomatedDecision is a decision about a person based solely on
// automated processing, profiling included, that produces legal effects
// for them or affects them similarly (art. 22). Whoever takes one must
// tell the person of it, of the logic involved and of its significance and
// consequences (art. 13(2)(f), 14(2)(g), 15(1)(h)).
type AutomatedDecision struct {
	Purpose      Purpose
	Logic        kluis.Msg // the logic involved
	Significance kluis.Msg // its significance and envisaged consequences
}

// automatedDecisions are the automated decisions kluis takes: none. Every
// decision about a person — who is proposed for a vacancy, who is placed,
// what a request's answer is — is made by a member of staff; kluis
// proposes (which candidates are due for erasure under a retention rule,
// which requests are overdue) and builds no profiles. A feature that
// decides on its own is declared here, and the record card (art. 15(1)(h))
// then tells the candidate of it.
func automatedDecisions() []AutomatedDecision { return nil }

// NoAutomatedDecisions is what a person is told while automatedDecisions
// declares none.
var NoAutomatedDecisions = kluis.Msg{
	NL: "Wij nemen geen besluiten over u die alleen op geautomatiseerde verwerking berusten (art. 22 AVG), en maken geen profielen: elk besluit over u neemt een medewerker.",
	EN: "We take no decisions about you based solely on automated processing (art. 22 GDPR), and make no profiles: every decision about you is taken by a member of staff.",
}

// AutomatedDecisions returns the automated decisions kluis takes (art. 22).
func (c *Catalog) AutomatedDecisions() []AutomatedDecision {
	return append([]AutomatedDecision(nil), c.automated...)
}
