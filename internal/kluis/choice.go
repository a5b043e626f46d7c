package kluis

// Choice is one value of a closed list, with its labels for the UI.
type Choice struct {
	Value string
	Label Msg
}

// Choices is a closed list of values a field may take.
type Choices []Choice

// Has reports whether v is one of the values.
func (cs Choices) Has(v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

// Label returns the label of v in lang, or v itself when it is not one of
// the values.
func (cs Choices) Label(v, lang string) string {
	for _, c := range cs {
		if c.Value == v {
			return c.Label.In(lang)
		}
	}
	return v
}

// Values lists the values, for error messages and the OpenAPI enum.
func (cs Choices) Values() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Value
	}
	return out
}

func (p Problems) choice(field, v string, cs Choices, required bool) {
	if v == "" {
		if required {
			p.required(field)
		}
		return
	}
	if !cs.Has(v) {
		list := ""
		for i, x := range cs.Values() {
			if i > 0 {
				list += ", "
			}
			list += x
		}
		p.Add(field, "Kies een van: "+list+".", "Choose one of: "+list+".")
	}
}

func (p Problems) required(field string) {
	p.Add(field, "Dit veld is verplicht.", "This field is required.")
}

// line normalises a single-line text field in place.
func (p Problems) line(field string, v *string, max int, required bool) {
	s, ok := CleanLine(*v, max)
	if !ok {
		p.Add(field, "Gebruik hooguit "+itoa(max)+" tekens op één regel, zonder stuurtekens.",
			"Use at most "+itoa(max)+" characters on one line, without control characters.")
		return
	}
	*v = s
	if required && s == "" {
		p.required(field)
	}
}

// text normalises a multi-line text field in place.
func (p Problems) text(field string, v *string, max int) {
	s, ok := CleanText(*v, max)
	if !ok {
		p.Add(field, "Gebruik hooguit "+itoa(max)+" tekens, zonder stuurtekens.",
			"Use at most "+itoa(max)+" characters, without control characters.")
		return
	}
	*v = s
}

func (p Problems) date(field string, v *Date, required bool) {
	d, ok := ParseDate(string(*v))
	if !ok {
		p.Add(field, "Geen geldige datum; gebruik dd-mm-jjjj.", "Not a valid date; use dd-mm-yyyy or yyyy-mm-dd.")
		return
	}
	*v = d
	if required && d == "" {
		p.required(field)
	}
}

func (p Problems) email(field string, v *string, required bool) {
	if *v == "" {
		if required {
			p.required(field)
		}
		return
	}
	s, ok := NormalizeEmail(*v)
	if !ok {
		p.Add(field, "Geen geldig e-mailadres.", "Not a valid e-mail address.")
		return
	}
	*v = s
}

func (p Problems) phone(field string, v *string) {
	if *v == "" {
		return
	}
	s, ok := NormalizePhone(*v)
	if !ok {
		p.Add(field, "Geen geldig telefoonnummer; gebruik bijvoorbeeld 06-12345678 of +32 470 12 34 56.",
			"Not a valid phone number; use for example 06-12345678 or +32 470 12 34 56.")
		return
	}
	*v = s
}
