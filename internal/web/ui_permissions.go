package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// mayGrant reports whether a role sets the agency's field permissions: the
// administrator (DESIGN.md).
func mayGrant(r kluis.Role) bool { return r == kluis.RoleAdmin }

func (s *Server) permissionRoutes() []route {
	return []route{
		{"GET", "/settings/permissions", session, s.permissionsPage},
		{"POST", "/settings/permissions", session, s.permissionsSave},
	}
}

// permissionsView is the grid of catalogued fields × roles.
type permissionsView struct {
	Base
	Roles   []kluis.Role
	Groups  []permissionGroup
	Version int64
	Errors  []string
	Stale   bool
}

type permissionGroup struct {
	Table string
	Label string
	Rows  []permissionRow
}

type permissionRow struct {
	Key   string // table.column
	Label string
	Cells []permissionCell
}

type permissionCell struct {
	Name    string // form field: table.column/role
	Role    kluis.Role
	Options []Option
	Changed bool // differs from the catalogue
}

// tableLabels name the tables in the grid.
var tableLabels = map[string]kluis.Msg{
	"candidates": {NL: "Kandidaat", EN: "Candidate"}, "placements": {NL: "Plaatsingen", EN: "Placements"},
	"contact_moments": {NL: "Contactmomenten", EN: "Contact moments"}, "documents": {NL: "Documenten", EN: "Documents"},
	"payroll_records": {NL: "Salaris", EN: "Payroll"}, "disclosures": {NL: "Verstrekkingen", EN: "Disclosures"},
	"client_contacts": {NL: "Contactpersonen van opdrachtgevers", EN: "Client contact persons"},
	"users":           {NL: "Medewerkers", EN: "Staff"}, "api_tokens": {NL: "API-tokens", EN: "API tokens"},
	"sessions": {NL: "Sessies", EN: "Sessions"}, "tenant_settings": {NL: "Instellingen", EN: "Settings"},
	"audit_log": {NL: "Toegangslog", EN: "Access log"}, "login_challenges": {NL: "Inloggen in twee stappen", EN: "Two-step log-in"},
}

// tableOrder is the order of the grid: the candidate's data first.
var tableOrder = []string{"candidates", "placements", "contact_moments", "documents", "payroll_records", "disclosures",
	"client_contacts", "users", "api_tokens", "sessions", "login_challenges", "tenant_settings", "audit_log"}

// grid builds the grid from the catalogue and the agency's settings; posted,
// when not nil, holds the choices of a form that was refused.
func (s *Server) grid(ctx context.Context, lang string, set *kluis.Settings, posted map[string]string) []permissionGroup {
	var groups []permissionGroup
	index := map[string]int{}
	for _, f := range s.catalog.Fields() {
		if catalog.IsSecret(f) {
			continue
		}
		i, ok := index[f.Table]
		if !ok {
			label := tableLabels[f.Table].In(lang)
			if label == "" {
				label = f.Table
			}
			groups = append(groups, permissionGroup{Table: f.Table, Label: label})
			i = len(groups) - 1
			index[f.Table] = i
		}
		key := f.Table + "." + f.Column
		row := permissionRow{Key: key, Label: f.Label.In(lang)}
		for _, r := range kluis.Roles {
			name := key + "/" + string(r)
			cur := f.AccessOf(r).String()
			if v, ok := set.FieldAccess[name]; ok {
				cur = v
			}
			if v, ok := posted[name]; ok {
				cur = v
			}
			cell := permissionCell{Name: name, Role: r, Changed: cur != f.AccessOf(r).String()}
			for a := catalog.Hidden; a <= catalog.Write; a++ {
				if a == catalog.Masked && f.Mask == catalog.NoMask {
					continue
				}
				label := text(lang, "perm."+a.String())
				if a == f.AccessOf(r) {
					label += " *"
				}
				cell.Options = append(cell.Options, Option{Value: a.String(), Label: label, Selected: a.String() == cur})
			}
			row.Cells = append(row.Cells, cell)
		}
		groups[i].Rows = append(groups[i].Rows, row)
	}
	rank := func(t string) int {
		if i := slices.Index(tableOrder, t); i >= 0 {
			return i
		}
		return len(tableOrder)
	}
	sort.SliceStable(groups, func(i, j int) bool { return rank(groups[i].Table) < rank(groups[j].Table) })
	return groups
}

func (s *Server) permissionsView(r *http.Request) (*permissionsView, *kluis.Settings, error) {
	a := actorFrom(r.Context())
	if !mayGrant(a.Role) {
		return nil, nil, errNoAccess
	}
	set, err := s.db.Settings(r.Context(), a.TenantID)
	if err != nil {
		return nil, nil, err
	}
	v := &permissionsView{Base: s.baseFor(r, "settings", "perm.title"), Roles: kluis.Roles, Version: set.Version}
	return v, set, nil
}

func (s *Server) permissionsPage(w http.ResponseWriter, r *http.Request) error {
	v, set, err := s.permissionsView(r)
	if err != nil {
		return err
	}
	v.Groups = s.grid(r.Context(), v.Lang, set, nil)
	return s.render(w, r, http.StatusOK, "permissions", "", v)
}

// permissionsSave stores the grid: only the cells that differ from the
// catalogue become the agency's own permissions.
func (s *Server) permissionsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	v, set, err := s.permissionsView(r)
	if err != nil {
		return err
	}
	posted := map[string]string{}
	own := map[string]string{}
	for _, f := range s.catalog.Fields() {
		if catalog.IsSecret(f) {
			continue
		}
		for _, role := range kluis.Roles {
			name := f.Table + "." + f.Column + "/" + string(role)
			val, ok := r.PostForm[name]
			if !ok || len(val) != 1 {
				continue
			}
			posted[name] = val[0]
			if val[0] != f.AccessOf(role).String() {
				own[name] = val[0]
			}
		}
	}
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	err = s.saveFieldAccess(r.Context(), own, version)
	if err == nil {
		return seeOther(w, r, "/settings/permissions", "form.saved")
	}
	var e *kluis.Error
	switch {
	case kluis.ErrorCode(err) == kluis.EConflict:
		v.Stale, v.Version = true, set.Version
	case errors.As(err, &e) && len(e.Fields) > 0:
		for k, m := range e.Fields {
			v.Errors = append(v.Errors, k+": "+m.In(v.Lang))
		}
	default:
		return err
	}
	v.Groups = s.grid(r.Context(), v.Lang, set, posted)
	return s.render(w, r, http.StatusUnprocessableEntity, "permissions", "", v)
}

// saveFieldAccess stores the agency's own permissions and makes this
// process use them at once.
func (s *Server) saveFieldAccess(ctx context.Context, own map[string]string, version int64) error {
	a := actorFrom(ctx)
	err := s.db.SaveFieldAccess(ctx, a, own, version)
	s.settingsCache.forget(a.TenantID)
	return err
}

// fieldAccessBody is the API's view of the agency's own permissions.
type fieldAccessBody struct {
	Permissions []fieldPermission `json:"permissions"`
	Version     int64             `json:"version"`
}

// fieldPermission is one role's access to one catalogued field.
type fieldPermission struct {
	Field   string `json:"field"` // table.column
	Role    string `json:"role"`
	Access  string `json:"access"`
	Default string `json:"default"`
}

// getFieldAccess is GET /api/v1/field-access: every field and role, with
// the access in force and the catalogue's default.
func (s *Server) getFieldAccess(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayGrant(a.Role) && !mayReadAudit(a.Role) {
		return errNoAccess
	}
	set, err := s.db.Settings(r.Context(), a.TenantID)
	if err != nil {
		return err
	}
	out := fieldAccessBody{Version: set.Version, Permissions: []fieldPermission{}}
	for _, f := range s.catalog.Fields() {
		if catalog.IsSecret(f) {
			continue
		}
		for _, role := range kluis.Roles {
			name := f.Table + "." + f.Column + "/" + string(role)
			def := f.AccessOf(role).String()
			cur := def
			if v, ok := set.FieldAccess[name]; ok {
				cur = v
			}
			out.Permissions = append(out.Permissions, fieldPermission{Field: f.Table + "." + f.Column, Role: string(role), Access: cur, Default: def})
		}
	}
	return writeRecord(w, http.StatusOK, out, set.Version)
}

// fieldAccessChange replaces the agency's own permissions: the ones that
// differ from the catalogue; every other cell takes the catalogue's default.
type fieldAccessChange struct {
	Permissions []fieldPermissionChange `json:"permissions"`
	Version     *int64                  `json:"version"`
}

type fieldPermissionChange struct {
	Field  string `json:"field"`
	Role   string `json:"role"`
	Access string `json:"access"`
}

// putFieldAccess is PUT /api/v1/field-access, for the administrator.
func (s *Server) putFieldAccess(w http.ResponseWriter, r *http.Request) error {
	if !mayGrant(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	var in fieldAccessChange
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		p := kluis.Problems{}
		p.Add("version", "Geef de versie mee waarop de wijziging is gebaseerd.", "Give the version the change is based on.")
		return p.Err()
	}
	own := map[string]string{}
	for _, c := range in.Permissions {
		name := c.Field + "/" + c.Role
		table, column, _ := strings.Cut(c.Field, ".")
		if f, ok := s.catalog.Field(table, column); ok && f.AccessOf(kluis.Role(c.Role)).String() == c.Access {
			continue // the default needs no setting of its own
		}
		own[name] = c.Access
	}
	if err := s.saveFieldAccess(r.Context(), own, *in.Version); err != nil {
		return err
	}
	return s.getFieldAccess(w, r)
}
