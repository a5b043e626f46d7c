package web

// letterMessages are the texts of the letters kept with a request, the
// answer in one step, the exports beside the record card and the
// reminders of requests that fall due.
var letterMessages = catalogue{
	"request.letters":            {NL: "Brieven bij dit verzoek", EN: "Letters with this request"},
	"request.letters.help":       {NL: "Elke brief wordt bij het verzoek bewaard. Brieven met naam en adres zijn versleuteld met de sleutel van de kandidaat en verdwijnen met diens gegevens; de brief over het wissen noemt niemand en blijft als bewijs.", EN: "Every letter is kept with the request. Letters with a name and address are encrypted with the candidate's key and go with their data; the erasure letter names nobody and stays as proof."},
	"request.letters.kept":       {NL: "Bewaarde brieven", EN: "Letters kept"},
	"request.letter.new":         {NL: "Een brief maken", EN: "Make a letter"},
	"request.letters.none":       {NL: "Nog geen brieven.", EN: "No letters yet."},
	"request.letters.erased":     {NL: "inhoud gewist", EN: "content erased"},
	"request.letters.download":   {NL: "Downloaden", EN: "Download"},
	"request.letter.kind":        {NL: "Soort brief", EN: "Kind of letter"},
	"request.letter.lang":        {NL: "Taal", EN: "Language"},
	"request.letter.reason":      {NL: "Reden (voor verlenging of weigering)", EN: "Reason (for an extension or refusal)"},
	"request.letter.reason.help": {NL: "Staat zo in de brief. Bij een verlenging mag u dit leeg laten als de reden al is vastgelegd.", EN: "Appears in the letter as written. For an extension you may leave it empty when the reason is recorded already."},
	"request.letter.submit":      {NL: "Brief maken", EN: "Make the letter"},
	"request.letter.done":        {NL: "De brief is gemaakt en bij het verzoek bewaard.", EN: "The letter is made and kept with the request."},
	"request.letter.when":        {NL: "Gemaakt", EN: "Made"},
	"request.answer":             {NL: "Antwoord in één stap", EN: "Answer in one step"},
	"request.answer.help":        {NL: "Maakt de begeleidende brief, de stamkaart (PDF, JSON en CSV) en de documenten in één ZIP-bestand om aan de kandidaat te sturen; de brief en de stamkaart worden bij het verzoek bewaard.", EN: "Makes the cover letter, the record card (PDF, JSON and CSV) and the documents in one ZIP file to send to the candidate; the letter and the record card are kept with the request."},
	"request.answer.portability": {NL: "Maakt de begeleidende brief en de gegevens die de kandidaat zelf gaf (JSON en CSV), met de documenten die hij of zij inleverde, in één ZIP-bestand; de brief wordt bij het verzoek bewaard.", EN: "Makes the cover letter and the data the candidate supplied (JSON and CSV), with the documents they handed in, in one ZIP file; the letter is kept with the request."},
	"request.answer.submit":      {NL: "Antwoord maken (ZIP)", EN: "Make the answer (ZIP)"},
	"request.access.csv":         {NL: "Stamkaart als CSV", EN: "Record card as CSV"},
	"request.access.documents":   {NL: "Documenten (ZIP)", EN: "Documents (ZIP)"},
	"request.portability.json":   {NL: "Overdraagbare gegevens (JSON)", EN: "Portable data (JSON)"},
	"request.portability.csv":    {NL: "Overdraagbare gegevens (CSV)", EN: "Portable data (CSV)"},
	"request.portability.docs":   {NL: "Ingeleverde documenten (ZIP)", EN: "Documents handed in (ZIP)"},
	"requests.reminders":         {NL: "Herinneringen", EN: "Reminders"},
	"requests.reminders.help":    {NL: "Zoveel dagen voor de uiterste datum krijgt de behandelaar van een open verzoek een e-mail (zonder behandelaar: elke privacyfunctionaris), en nog één keer als het te laat is. 0 zet de herinneringen uit.", EN: "This many days before the due date the handler of an open request gets an e-mail (without a handler: every privacy officer), and once more when it is overdue. 0 turns the reminders off."},
	"requests.reminders.days":    {NL: "Dagen voor de uiterste datum", EN: "Days before the due date"},
	"requests.reminders.submit":  {NL: "Opslaan", EN: "Save"},
	"requests.reminders.done":    {NL: "De herinneringen zijn ingesteld.", EN: "The reminders are set."},
	"candidate.documents.zip":    {NL: "Alle documenten (ZIP)", EN: "All documents (ZIP)"},
}
