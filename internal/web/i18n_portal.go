package web

// portalMessages are the texts of the pages candidates see: the answer to
// a request for consent.
var portalMessages = catalogue{
	"portal.consent.title":      {NL: "Mogen wij uw gegevens langer bewaren?", EN: "May we keep your data longer?"},
	"portal.consent.question":   {NL: "%s bewaart uw gegevens om u werk aan te bieden. Zonder uw toestemming verwijderen wij ze op %s, zoals de wet vraagt. Mogen wij ze twee jaar langer bewaren?", EN: "%s keeps your data to offer you work. Without your consent we delete them on %s, as the law requires. May we keep them for two more years?"},
	"portal.consent.help":       {NL: "U kunt een toestemming altijd weer intrekken: neem dan contact op met het bureau.", EN: "You can always withdraw a consent: contact the agency."},
	"portal.consent.legend":     {NL: "Uw antwoord", EN: "Your answer"},
	"portal.consent.yes":        {NL: "Ja, bewaar mijn gegevens twee jaar langer", EN: "Yes, keep my data for two more years"},
	"portal.consent.no":         {NL: "Nee, verwijder mijn gegevens op %s", EN: "No, delete my data on %s"},
	"portal.consent.submit":     {NL: "Antwoord versturen", EN: "Send my answer"},
	"portal.consent.choose":     {NL: "Kies ja of nee.", EN: "Choose yes or no."},
	"portal.consent.thanks.yes": {NL: "Dank u. Wij bewaren uw gegevens twee jaar langer. U kunt dit altijd intrekken.", EN: "Thank you. We will keep your data for two more years. You can always withdraw this."},
	"portal.consent.thanks.no":  {NL: "Dank u. Wij verwijderen uw gegevens op de genoemde dag.", EN: "Thank you. We will delete your data on the day named."},
	"portal.consent.answered":   {NL: "U hebt deze vraag al beantwoord. Dank u.", EN: "You have answered this question already. Thank you."},
	"portal.consent.expired":    {NL: "Deze link is verlopen: de termijn waarvoor hij gold is voorbij.", EN: "This link has expired: the term it was for has passed."},
}
