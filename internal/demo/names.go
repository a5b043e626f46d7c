package demo

// The word lists the generated candidates are drawn from. Names are common
// in the Netherlands, including those of its larger immigrant groups and of
// the eastern European workers many agencies place; addresses combine common
// street names with the postcode ranges of real towns, so they look right
// without being anyone's address.

var firstNames = []string{
	"Sanne", "Daan", "Emma", "Lotte", "Fleur", "Bas", "Iris", "Femke", "Anouk", "Ruben",
	"Jeroen", "Sophie", "Thijs", "Julia", "Lars", "Mila", "Stijn", "Tom", "Eva", "Roos",
	"Kevin", "Laura", "Nina", "Sander", "Marloes", "Peter", "Linda", "Hans", "Zoë", "Jesse",
	"Noor", "Bram", "Lieke", "Sem", "Tess", "Luuk", "Fenna", "Milan", "Sara", "Niels",
	"Anna", "Jan", "Maria", "Johan", "Ingrid", "Willem", "Esther", "Gerrit", "Monique", "Dennis",
	"Mark", "Saskia", "Martijn", "Wendy", "Erik", "Ilse", "Joost", "Marieke", "Rick", "Yvonne",
	"Daniëlle", "Joëlle", "Chloë", "Thomas", "Kim", "Robin", "Lisa", "Max", "Vera", "Koen",
	"Mohamed", "Yusuf", "Fatima", "Ayoub", "Samira", "Mehmet", "Elif", "Emre", "Zeynep", "Priya",
	"Kacper", "Piotr", "Agnieszka", "Tomasz", "Katarzyna", "Andrei", "Ioana", "Georgi", "Marta", "Rui",
}

// lastNames pairs a prefix (tussenvoegsel) with a last name; lists sort on
// the last name, so they are kept apart as in the Candidate record.
var lastNames = [][2]string{
	{"de", "Jong"}, {"", "Jansen"}, {"de", "Vries"}, {"van den", "Berg"}, {"van", "Dijk"},
	{"", "Bakker"}, {"", "Janssen"}, {"", "Visser"}, {"", "Smit"}, {"", "Meijer"},
	{"de", "Boer"}, {"", "Mulder"}, {"de", "Groot"}, {"", "Bos"}, {"", "Vos"},
	{"", "Peters"}, {"", "Hendriks"}, {"van", "Leeuwen"}, {"", "Dekker"}, {"", "Brouwer"},
	{"de", "Wit"}, {"", "Dijkstra"}, {"", "Smits"}, {"de", "Graaf"}, {"van der", "Meer"},
	{"van der", "Linden"}, {"", "Kok"}, {"", "Jacobs"}, {"de", "Haan"}, {"", "Vermeulen"},
	{"van den", "Heuvel"}, {"van der", "Veen"}, {"van den", "Broek"}, {"de", "Bruijn"}, {"van der", "Heijden"},
	{"", "Schouten"}, {"van", "Beek"}, {"", "Willems"}, {"van", "Vliet"}, {"van de", "Ven"},
	{"", "Hoekstra"}, {"", "Maas"}, {"", "Verhoeven"}, {"", "Koster"}, {"van", "Dam"},
	{"van der", "Wal"}, {"", "Prins"}, {"", "Blom"}, {"", "Huisman"}, {"", "Peeters"},
	{"de", "Jonge"}, {"", "Kuipers"}, {"van", "Veen"}, {"", "Post"}, {"", "Kuiper"},
	{"", "Veenstra"}, {"", "Kramer"}, {"van den", "Brink"}, {"", "Scholten"}, {"van", "Wijk"},
	{"", "Postma"}, {"", "Martens"}, {"", "Vink"}, {"de", "Ruiter"}, {"", "Timmermans"},
	{"", "Groen"}, {"", "Gerritsen"}, {"", "Jonker"}, {"van", "Loon"}, {"", "Boer"},
	{"van der", "Velde"}, {"", "Willemsen"}, {"", "Smeets"}, {"de", "Lange"}, {"de", "Vos"},
	{"", "Bosch"}, {"van", "Dongen"}, {"", "Schipper"}, {"de", "Koning"}, {"van der", "Laan"},
	{"", "Driessen"}, {"van", "Doorn"}, {"", "Hermans"}, {"", "Evers"}, {"van den", "Bosch"},
	{"van der", "Meulen"}, {"", "Hofman"}, {"", "Bosman"}, {"", "Wolters"}, {"", "Sanders"},
	{"van der", "Horst"}, {"", "Mol"}, {"", "Kuijpers"}, {"", "Molenaar"}, {"van de", "Pol"},
	{"de", "Leeuw"}, {"", "Verbeek"}, {"ter", "Horst"}, {"te", "Riele"}, {"in 't", "Veld"},
	{"", "Yılmaz"}, {"", "Kaya"}, {"", "Öztürk"}, {"El", "Amrani"}, {"", "Bouzid"},
	{"", "Benali"}, {"", "Haddou"}, {"", "Nowak"}, {"", "Kowalski"}, {"", "Wiśniewski"},
	{"", "Popescu"}, {"", "Ivanov"}, {"", "Santos"}, {"", "Ramdin"}, {"", "Sewnath"},
}

// place is a town with the postcode range its numbers fall in.
type place struct {
	city     string
	pcLow    int
	pcHigh   int
	areaCode string // for landline numbers of clients
}

// The towns around each branch: candidates mostly live near the branch
// they register at.
var utrechtPlaces = []place{
	{"Utrecht", 3511, 3585, "030"}, {"Nieuwegein", 3430, 3439, "030"}, {"Zeist", 3701, 3709, "030"},
	{"Houten", 3991, 3995, "030"}, {"Amersfoort", 3811, 3829, "033"}, {"IJsselstein", 3401, 3403, "030"},
	{"Maarssen", 3601, 3608, "0346"}, {"Woerden", 3441, 3449, "0348"}, {"Veenendaal", 3901, 3907, "0318"},
}

var rotterdamPlaces = []place{
	{"Rotterdam", 3011, 3089, "010"}, {"Schiedam", 3111, 3125, "010"}, {"Vlaardingen", 3131, 3138, "010"},
	{"Capelle aan den IJssel", 2901, 2909, "010"}, {"Dordrecht", 3311, 3319, "078"}, {"Gouda", 2801, 2809, "0182"},
	{"Delft", 2611, 2629, "015"}, {"Spijkenisse", 3201, 3209, "0181"}, {"Barendrecht", 2991, 2994, "0180"}, {"Naaldwijk", 2671, 2671, "0174"},
}

var streets = []string{
	"Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Julianastraat", "Wilhelminastraat", "Beatrixlaan",
	"Stationsweg", "Oranjestraat", "Emmalaan", "Prins Hendrikstraat", "Kastanjelaan", "Lindelaan", "Eikenlaan",
	"Sportlaan", "Parkweg", "Nieuwstraat", "Marktstraat", "Havenstraat", "Burgemeester de Withstraat",
	"Rembrandtlaan", "Vondellaan", "Merelstraat", "Tulpstraat", "Rozenstraat", "Esdoornlaan", "Weteringstraat",
	"Zuidsingel", "Noordsingel", "Kanaalweg", "Dijkstraat", "Boslaan", "Koningin Julianaweg", "Populierenlaan",
}

// Letters of issued postcodes; F, I, O, Q, U and Y are not used.
const postcodeLetters = "ABCEGHJKLMNPRSTVWXZ"

// Functions are what candidates do; both lists are in the agency's words.
var functions = []string{
	"Orderpicker", "Heftruckchauffeur", "Magazijnmedewerker", "Productiemedewerker", "Inpakker",
	"Administratief medewerker", "Klantenservicemedewerker", "Receptionist", "Schoonmaker", "Kassamedewerker",
	"Vrachtwagenchauffeur C/E", "Bezorger", "Kok", "Bediening", "Afwasser",
	"Kasmedewerker", "Tuinder", "Zorgassistent", "Helpende zorg en welzijn", "Monteur",
	"Lasser", "Timmerman", "Opperman", "Elektricien", "Reachtruckchauffeur",
}

var banks = []string{"ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB"}

// Nationalities of the generated candidates, by weight (of 1000). EEA
// workers need no work permit; the others show the Wav rules (R6).
var nationalities = []struct {
	code   string
	weight int
}{
	{"NL", 820}, {"PL", 60}, {"RO", 25}, {"BG", 12}, {"DE", 10}, {"BE", 8}, {"PT", 8}, {"ES", 7},
	{"TR", 20}, {"MA", 15}, {"IN", 8}, {"UA", 7},
}

// eea are the nationalities that may work without a work permit.
var eea = map[string]bool{"NL": true, "PL": true, "RO": true, "BG": true, "DE": true, "BE": true, "PT": true, "ES": true}

var contactNotes = map[string][]string{
	"phone": {
		"Gebeld over een vacature; kandidaat denkt erover na.",
		"Kandidaat belt: beschikbaar vanaf maandag.",
		"Teruggebeld, voicemail ingesproken.",
		"Beschikbaarheid doorgenomen: alleen ochtenden.",
		"Kandidaat meldt zich af voor deze week.",
		"Gebeld over rooster volgende week.",
	},
	"email": {
		"Vacatureoverzicht gemaild.",
		"Kandidaat mailt een nieuw CV.",
		"Bevestiging van het intakegesprek gestuurd.",
		"Vraag over reiskostenvergoeding beantwoord.",
	},
	"visit": {
		"Intakegesprek op kantoor; CV en wensen doorgenomen.",
		"Kandidaat kwam langs voor een nieuw rooster.",
		"Evaluatiegesprek op de werkplek.",
	},
	"letter": {
		"Brief gestuurd met de nieuwe loonheffingsgegevens.",
	},
}
