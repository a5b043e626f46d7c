package kluis

import "time"

// Client is an organisation (opdrachtgever) where candidates are placed.
type Client struct {
	TenantID    ID        `json:"-"`
	ID          ID        `json:"id"`
	BranchID    ID        `json:"branch_id"`
	Name        string    `json:"name"`
	KvKNumber   string    `json:"kvk_number"`
	Street      string    `json:"street"`
	HouseNumber string    `json:"house_number"`
	Postcode    string    `json:"postcode"`
	City        string    `json:"city"`
	Country     string    `json:"country"`
	Email       string    `json:"email"`
	Phone       string    `json:"phone"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate normalises the client in place and reports every wrong field.
func (c *Client) Validate() error {
	p := Problems{}
	if c.BranchID == 0 {
		p.required("branch_id")
	}
	p.line("name", &c.Name, 200, true)
	if c.KvKNumber != "" {
		if s, ok := NormalizeKvK(c.KvKNumber); ok {
			c.KvKNumber = s
		} else {
			p.Add("kvk_number", "Een KvK-nummer heeft 8 cijfers.", "A Chamber of Commerce number has 8 digits.")
		}
	}
	p.line("street", &c.Street, 100, false)
	p.line("house_number", &c.HouseNumber, 20, false)
	p.line("city", &c.City, 100, false)
	if c.Country == "" {
		c.Country = "NL"
	}
	if !isAlpha2(c.Country) {
		p.Add("country", "Gebruik de landcode van twee letters, bijvoorbeeld NL.", "Use the two-letter country code, for example NL.")
	}
	validPostcode(p, "postcode", &c.Postcode, c.Country)
	p.email("email", &c.Email, false)
	p.phone("phone", &c.Phone)
	return p.Err()
}

// ClientContact is a person at a client: a data subject of its own.
type ClientContact struct {
	TenantID  ID        `json:"-"`
	ID        ID        `json:"id"`
	ClientID  ID        `json:"client_id"`
	Name      string    `json:"name"`
	JobTitle  string    `json:"job_title"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate normalises the contact person in place.
func (c *ClientContact) Validate() error {
	p := Problems{}
	if c.ClientID == 0 {
		p.required("client_id")
	}
	p.line("name", &c.Name, 200, true)
	p.line("job_title", &c.JobTitle, 100, false)
	p.email("email", &c.Email, false)
	p.phone("phone", &c.Phone)
	return p.Err()
}
