package demo

import (
	"context"
	"fmt"
	"strings"

	"kluis/internal/kluis"
)

// clientSpecs are the demo's clients: the kinds of business that hire
// temporary workers around Utrecht and Rotterdam. The names are made up.
var clientSpecs = []struct {
	name, short, kvk, street, city string
	branch                         int
	contacts                       [][2]string // name, job title
}{
	{"Distributiecentrum De Meern B.V.", "dcdemeern", "30274419", "Industrieweg", "Utrecht", 0,
		[][2]string{{"Mark van der Sluis", "Hoofd logistiek"}, {"Esra Demir", "Planner"}}},
	{"Administratiekantoor Lekstroom", "lekstroom", "30198342", "Kanaalweg", "Nieuwegein", 0,
		[][2]string{{"Annemiek Rozendaal", "Office manager"}}},
	{"Bakkerij Het Zoete Brood", "zoetebrood", "61842207", "Molenweg", "Houten", 0,
		[][2]string{{"Gert-Jan Hofstede", "Bedrijfsleider"}}},
	{"Bouwbedrijf Van Leeuwen & Zn.", "vanleeuwenbouw", "31067725", "Nijverheidsweg", "Amersfoort", 0,
		[][2]string{{"Rob van Leeuwen", "Directeur"}, {"Patricia Stam", "Personeelszaken"}}},
	{"Havenlogistiek Waalhaven B.V.", "waalhaven", "24318856", "Waalhaven Oostzijde", "Rotterdam", 1,
		[][2]string{{"Dirk Zwaan", "Operationeel manager"}, {"Naima Ouali", "Planner"}}},
	{"Zorggroep Rijnmond Zuid", "zorgrijnmond", "41129873", "Zuidplein", "Rotterdam", 1,
		[][2]string{{"Margreet Vos", "HR-adviseur"}}},
	{"Schoonmaakbedrijf Glans & Co", "glans", "62904418", "Havenstraat", "Schiedam", 1,
		[][2]string{{"Ferry Koopman", "Rayonleider"}}},
	{"Kwekerij Westland Groen", "westlandgroen", "27351190", "Dijkstraat", "Naaldwijk", 1,
		[][2]string{{"Arie van der Kooij", "Teeltmanager"}, {"Joanna Zielińska", "Teamleider oogst"}}},
}

func placeOf(branch int, city string) place {
	list := utrechtPlaces
	if branch == 1 {
		list = rotterdamPlaces
	}
	for _, p := range list {
		if p.city == city {
			return p
		}
	}
	panic("demo: no place " + city) // the tables are wrong: a programming error
}

// landline returns a fixed-line number of the place, ten digits with the
// area code.
func (g *gen) landline(p place) string {
	digits := 10 - len(p.areaCode)
	return p.areaCode + "-" + fmt.Sprintf("%0*d", digits, g.between(2, 9)*pow10(digits-1)+g.r.IntN(pow10(digits-1)))
}

func pow10(n int) int {
	x := 1
	for ; n > 0; n-- {
		x *= 10
	}
	return x
}

func (a *agency) createClients(ctx context.Context, g *gen) error {
	for _, s := range clientSpecs {
		p := placeOf(s.branch, s.city)
		actor := a.actors[s.branch]
		c := &kluis.Client{BranchID: a.branches[s.branch].ID, Name: s.name, KvKNumber: s.kvk, Street: s.street,
			HouseNumber: fmt.Sprint(g.between(2, 140)), Postcode: g.postcode(p), City: s.city,
			Email: "planning." + s.short + "@example.com", Phone: g.landline(p)}
		if err := a.db.CreateClient(ctx, actor, c); err != nil {
			return fmt.Errorf("demo: create client %s: %w", s.name, err)
		}
		for _, cp := range s.contacts {
			first, last, _ := strings.Cut(cp[0], " ")
			cc := &kluis.ClientContact{ClientID: c.ID, Name: cp[0], JobTitle: cp[1],
				Email: emailLocal(first, last) + "@example.com", Phone: g.newMobile()}
			if err := a.db.CreateClientContact(ctx, actor, cc); err != nil {
				return fmt.Errorf("demo: create contact person of %s: %w", s.name, err)
			}
		}
		a.clients = append(a.clients, demoClient{Client: c, branch: s.branch})
	}
	return nil
}
