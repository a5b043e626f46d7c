package web

// agencyMessages are the texts of the agency's settings page.
var agencyMessages = catalogue{
	"agency.title":           {NL: "Bureau en privacy", EN: "Agency and privacy"},
	"agency.link":            {NL: "Gegevens van het bureau, de functionaris gegevensbescherming en welke gegevens u verzamelt.", EN: "The agency's details, its data protection officer and which data you collect."},
	"agency.intro":           {NL: "Deze instellingen gelden voor het hele bureau. Het register van verwerkingsactiviteiten en de privacyverklaring nemen ze over.", EN: "These settings apply to the whole agency. The record of processing activities and the privacy statement use them."},
	"agency.controller":      {NL: "Verwerkingsverantwoordelijke", EN: "Controller"},
	"agency.controller.help": {NL: "Zoals het bureau in het register en de privacyverklaring staat.", EN: "As the agency appears in the register and the privacy statement."},
	"agency.address":         {NL: "Adres", EN: "Address"},
	"agency.kvk":             {NL: "KvK-nummer", EN: "Chamber of Commerce number"},
	"agency.dpo":             {NL: "Functionaris gegevensbescherming (FG)", EN: "Data protection officer (DPO)"},
	"agency.dpo.help":        {NL: "De contactgegevens worden gepubliceerd (AVG art. 37 lid 7). Een functieadres zoals privacy@uwbureau.nl is het beste. Laat leeg als er geen FG is aangesteld.", EN: "These contact details are published (GDPR art. 37(7)). A role address such as privacy@youragency.nl is best. Leave empty when no DPO is appointed."},
	"agency.dpo.name":        {NL: "Naam", EN: "Name"},
	"agency.dpo.email":       {NL: "E-mailadres", EN: "E-mail address"},
	"agency.dpo.phone":       {NL: "Telefoon", EN: "Phone"},
	"agency.minimise":        {NL: "Welke gegevens verzamelt u?", EN: "Which data do you collect?"},
	"agency.minimise.help":   {NL: "Vraag alleen wat u nodig heeft (AVG art. 5 lid 1 c). Wat u uitzet, vraagt kluis niet meer, toont het niemand meer en weigert het bij invoer; waarden die er al zijn worden na 7 dagen verwijderd. Zet u het binnen die tijd weer aan, dan blijven ze.", EN: "Ask only what you need (GDPR art. 5(1)(c)). What you switch off, kluis no longer asks, shows to no one and refuses on input; values already held are removed after 7 days. Switch it back on within that time and they stay."},
	"agency.collected":       {NL: "Wordt verzameld.", EN: "Collected."},
	"agency.offsince":        {NL: "Niet meer verzameld sinds", EN: "Not collected since"},
	"agency.held":            {NL: "bestaande waarden worden verwijderd op", EN: "existing values will be removed on"},
	"agency.undo":            {NL: "Aanzetten voor die dag houdt ze.", EN: "Switching it on before that day keeps them."},
	"agency.noneheld":        {NL: "Er zijn geen waarden meer.", EN: "No values are left."},
	"agency.confirmoff":      {NL: "U zet gegevens uit die u nu verzamelt. Niemand ziet ze nog, en bestaande waarden worden over 7 dagen verwijderd. Doorgaan?", EN: "You are switching off data you collect now. No one will see them any more, and existing values will be removed in 7 days. Continue?"},
	"agency.updated":         {NL: "Laatst gewijzigd", EN: "Last changed"},
}
