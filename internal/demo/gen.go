package demo

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
)

// gen draws everything random from one seeded stream, so that the same seed
// and the same day give the same data set. Numbers that identify a person
// (BSN, IBAN, phone) come from permutations instead of independent draws:
// two demo people never share one, so a residue scan for one person's
// number never finds another's.
type gen struct {
	r     *rand.Rand
	now   time.Time // the store's clock when the tenant was made
	today time.Time // midnight of now
	ids   *uniques
}

func newGen(seed int64, stream uint64, now time.Time, ids *uniques) *gen {
	now = now.UTC()
	return &gen{
		r:     rand.New(rand.NewPCG(uint64(seed), stream)), // #nosec G115 G404 -- any bit pattern of the seed will do; demo data are generated reproducibly from a seed; nothing secret
		now:   now,
		today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC),
		ids:   ids,
	}
}

// uniques hands out identifying numbers that are unique within a data set.
type uniques struct {
	bsn, iban, phone permutation
}

func newUniques(seed int64) *uniques {
	r := rand.New(rand.NewPCG(uint64(seed), 0x756e6971)) // #nosec G115 G404 -- the stream is "uniq"; any bit pattern of the seed will do; demo data are generated reproducibly from a seed; nothing secret
	return &uniques{
		bsn:   newPermutation(r, 10_000_000),
		iban:  newPermutation(r, 10_000_000_000),
		phone: newPermutation(r, 100_000_000),
	}
}

// permutation walks 0..n-1 in a scrambled order without repeating: x ↦
// a·x + b mod n is a bijection when a and n share no factor, and n is a
// power of ten, so any a that is odd and no multiple of 5 will do.
type permutation struct {
	a, b, n, next uint64
}

func newPermutation(r *rand.Rand, n uint64) permutation {
	a := r.Uint64N(n/2)*2 + 1
	for a%5 == 0 {
		a += 2
	}
	return permutation{a: a % n, b: r.Uint64N(n), n: n}
}

func (p *permutation) draw() uint64 {
	hi, lo := bits.Mul64(p.a, p.next%p.n) // 10^10 squared does not fit 64 bits
	_, ax := bits.Div64(hi, lo, p.n)
	p.next++
	return (ax + p.b) % p.n
}

// newBSN returns a number that passes the elfproef. All start with 9: the
// demo's numbers are recognisable at a glance, and the permutation gives
// about nine million before one repeats.
func (u *uniques) newBSN() string {
	for {
		s := "9" + fmt.Sprintf("%07d", u.bsn.draw())
		sum := 0
		for i := 0; i < 8; i++ {
			sum += (9 - i) * int(s[i]-'0')
		}
		if check := sum % 11; check < 10 {
			return s + strconv.Itoa(check)
		}
	}
}

// newIBAN returns a Dutch IBAN at one of the real bank codes, with check
// digits that pass mod-97.
func (g *gen) newIBAN() string {
	bank := banks[g.r.IntN(len(banks))]
	bban := bank + fmt.Sprintf("%010d", g.ids.iban.draw())
	return "NL" + kluis.IBANCheckDigits("NL", bban) + bban
}

// newMobile returns a mobile number as people write it: 06-12345678.
func (g *gen) newMobile() string {
	return fmt.Sprintf("06-%08d", g.ids.phone.draw())
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns a whole number in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *gen) nationality() string {
	n := g.r.IntN(1000)
	for _, x := range nationalities {
		if n < x.weight {
			return x.code
		}
		n -= x.weight
	}
	return "NL"
}

func (g *gen) postcode(p place) string {
	for {
		a, b := postcodeLetters[g.r.IntN(len(postcodeLetters))], postcodeLetters[g.r.IntN(len(postcodeLetters))]
		if l := string([]byte{a, b}); l != "SA" && l != "SD" && l != "SS" {
			return strconv.Itoa(g.between(p.pcLow, p.pcHigh)) + " " + l
		}
	}
}

func (g *gen) houseNumber() (string, string) {
	n := strconv.Itoa(g.between(1, 180))
	switch g.r.IntN(12) {
	case 0:
		return n, "A"
	case 1:
		return n, "bis"
	case 2:
		return n, strconv.Itoa(g.between(1, 3))
	}
	return n, ""
}

// idDocumentNumber looks like a Dutch passport or identity card number:
// letters and digits without the letter O, ending in a digit.
func (g *gen) idDocumentNumber() string {
	const letters = "ABCDEFGHIJKLMNPQRSTUVWXYZ"
	const alnum = letters + "0123456789"
	b := []byte{letters[g.r.IntN(len(letters))], letters[g.r.IntN(len(letters))]}
	for i := 0; i < 6; i++ {
		b = append(b, alnum[g.r.IntN(len(alnum))])
	}
	return string(append(b, byte('0'+g.r.IntN(10)))) // #nosec G115 -- '0'+IntN(10) is a digit
}

// ago returns the day years, months and days before today.
func (g *gen) ago(years, months, days int) time.Time { return g.today.AddDate(-years, -months, -days) }

// at returns a moment during office hours on day, never after now (the
// store refuses history from the future).
func (g *gen) at(day time.Time) time.Time {
	t := day.Add(time.Duration(g.between(8*60, 17*60+30)) * time.Minute).Add(time.Duration(g.r.IntN(60)) * time.Second)
	if t.After(g.now) {
		t = g.now.Add(-time.Duration(g.between(1, 60)) * time.Minute)
	}
	return t
}

// dayBetween returns a day in [from, to].
func (g *gen) dayBetween(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, g.r.IntN(days+1))
}

func date(t time.Time) kluis.Date { return kluis.DateOf(t) }

// initials makes "S." or, now and then, "S.J." from a first name.
func (g *gen) initials(first string) string {
	r := []rune(first)
	s := string(r[0]) + "."
	if g.chance(0.3) {
		s += string("ABCDEGHJKLMPRTW"[g.r.IntN(15)]) + "."
	}
	return s
}

// emailLocal turns a name into the part before the @: lower case ASCII,
// accents dropped, spaces and apostrophes gone.
func emailLocal(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteByte('.')
		}
		for _, r := range strings.ToLower(p) {
			r = fold(r)
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// fold drops the accent of the letters that occur in the name lists.
func fold(r rune) rune {
	if f, ok := folds[r]; ok {
		return f
	}
	return r
}

var folds = map[rune]rune{
	'á': 'a', 'à': 'a', 'ä': 'a', 'â': 'a', 'ą': 'a', 'ã': 'a',
	'é': 'e', 'è': 'e', 'ë': 'e', 'ê': 'e', 'ę': 'e',
	'í': 'i', 'ï': 'i', 'î': 'i', 'ı': 'i',
	'ó': 'o', 'ö': 'o', 'ô': 'o', 'ø': 'o',
	'ú': 'u', 'ü': 'u', 'û': 'u',
	'ç': 'c', 'ć': 'c', 'ł': 'l', 'ń': 'n', 'ś': 's', 'ş': 's', 'ș': 's', 'ț': 't', 'ğ': 'g', 'ź': 'z', 'ż': 'z',
	'Ö': 'O', 'Ü': 'U', 'Ç': 'C', 'Ş': 'S', 'Ł': 'L', 'Ś': 'S', 'İ': 'I',
}

// monthlyPay returns plausible gross and net pay for a month of work at
// wage: hours vary, and net is what is left after payroll tax and premiums.
func (g *gen) monthlyPay(wageCents int64) (gross, net int64) {
	hours := int64(g.between(96, 173))
	gross = wageCents * hours
	net = gross * int64(g.between(76, 86)) / 100
	return gross, net
}

// wageIn lowers today's wage by 3% for every year back, as collective
// agreements raised wages about that much each year.
func wageIn(wage int64, year, thisYear int) int64 {
	for y := year; y < thisYear; y++ {
		wage = wage * 97 / 100
	}
	return wage
}

// months lists the pay periods (year, month) from start to end inclusive.
func months(start, end time.Time) [][2]int {
	var out [][2]int
	y, m := start.Year(), int(start.Month())
	for y < end.Year() || y == end.Year() && m <= int(end.Month()) {
		out = append(out, [2]int{y, m})
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
	return out
}
