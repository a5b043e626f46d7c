package web

// cleanupMessages are the texts of the clean-up list.
var cleanupMessages = catalogue{
	"cleanup.title":      {NL: "Opschonen", EN: "Clean-up"},
	"cleanup.intro":      {NL: "Kandidaten van wie gegevens hun bewaartermijn voorbij zijn, uitgerekend zoals op het AVG-tabblad van elke kandidaat: per groep gegevens, met de regel die de termijn bepaalt. Een wettelijke bewaarplicht houdt gegevens vast; toestemming verlengt R1 en R3.", EN: "Candidates with data past their retention term, worked out as on each candidate's AVG tab: per group of data, with the rule that sets the term. A legal hold keeps data; consent extends R1 and R3."},
	"cleanup.filter":     {NL: "Opschonen per vestiging", EN: "Clean-up per branch"},
	"cleanup.of":         {NL: "van de", EN: "of the"},
	"cleanup.candidates": {NL: "kandidaten hebben gegevens die weg moeten", EN: "candidates have data that must go"},
	"cleanup.none":       {NL: "Niets is over zijn termijn.", EN: "Nothing is past its term."},
	"cleanup.next":       {NL: "Gegevens die het bureau niet meer verzamelt en kopieën van identiteitsbewijzen (R2) verwijdert kluis zelf, elk uur. Het verwijderen van wat hier staat, in stappen en met bewijs, komt in een volgende versie; tot dan toont deze lijst wat er te doen is.", EN: "Data the agency no longer collects and ID copies (R2) kluis removes itself, every hour. Removing what is listed here, in stages and with proof, comes in a next version; until then this list shows what there is to do."},
	"cleanup.list":       {NL: "Wat weg moet, per kandidaat", EN: "What must go, per candidate"},
	"cleanup.first":      {NL: "de eerste", EN: "the first"},
	"cleanup.since":      {NL: "Sinds", EN: "Since"},
	"cleanup.what":       {NL: "Wat", EN: "What"},
	"cleanup.badbranch":  {NL: "Deze vestiging bestaat niet.", EN: "This branch does not exist."},
	"nav.cleanup":        {NL: "Opschonen", EN: "Clean-up"},
}
