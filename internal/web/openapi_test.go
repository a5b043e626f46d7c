package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// The OpenAPI document (openapi.json, served at /api/v1/openapi.json) is
// written by hand; these tests hold it to the code: the route table, the
// record types' JSON fields, the request structs, the Choices and the
// error codes.

func openAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func list(v any) []any { l, _ := v.([]any); return l }

func strs(v any) []string {
	var out []string
	for _, x := range list(v) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one documented method on one path.
type operation struct {
	method, path string
	op           map[string]any
}

func (o operation) String() string { return strings.ToUpper(o.method) + " " + o.path }

func operations(doc map[string]any) []operation {
	var out []operation
	paths := obj(doc["paths"])
	for _, p := range sortedKeys(paths) {
		item := obj(paths[p])
		for _, m := range httpMethods {
			if op, ok := item[m]; ok {
				out = append(out, operation{m, p, obj(op)})
			}
		}
	}
	return out
}

// resolve follows a local $ref ("#/components/schemas/X") to its target.
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref returns v, or what its $ref points to.
func deref(doc map[string]any, v any) map[string]any {
	m := obj(v)
	if ref, ok := m["$ref"].(string); ok {
		target, _ := resolve(doc, ref)
		return obj(target)
	}
	return m
}

// refs collects every $ref below v.
func refs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			*out = append(*out, r)
		}
		for _, k := range sortedKeys(x) {
			refs(x[k], out)
		}
	case []any:
		for _, e := range x {
			refs(e, out)
		}
	}
}

// goPatternToOpenAPI turns a ServeMux pattern's path into an OpenAPI path
// template: "{id}" stays, "{rest...}" becomes "{rest}", "{$}" goes.
func goPatternToOpenAPI(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	return regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\.\.\.\}`).ReplaceAllString(p, "{$1}")
}

func TestTheOpenAPIDocumentDescribesExactlyTheRegisteredRoutes(t *testing.T) {
	doc := openAPI(t)
	// A Server without a database: routes() only takes method values of the
	// nil *store.DB, it never calls them.
	s := &Server{}
	registered := map[string]bool{}
	for _, r := range s.Routes() {
		method, pattern, _ := strings.Cut(r, " ")
		registered[method+" "+goPatternToOpenAPI(pattern)] = true
	}
	if len(registered) == 0 {
		t.Fatal("the route table is empty")
	}
	documented := map[string]operation{}
	for _, o := range operations(doc) {
		documented[o.String()] = o
	}
	for _, r := range sortedKeys(registered) {
		if _, ok := documented[r]; !ok {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range sortedKeys(documented) {
		if !registered[d] {
			t.Errorf("openapi.json documents %s, which is not in the route table", d)
		}
	}

	// Security: bearer on exactly the routes that need a token.
	global, hasGlobal := doc["security"]
	for _, rt := range s.routes() {
		o, ok := documented[rt.method+" "+goPatternToOpenAPI(rt.pattern)]
		if !ok {
			continue
		}
		sec, ok := o.op["security"]
		if !ok && hasGlobal {
			sec = global
		}
		bearer := false
		for _, req := range list(sec) {
			if _, ok := obj(req)["bearer"]; ok {
				bearer = true
			}
		}
		if bearer != (rt.guard == token) {
			t.Errorf("%s: the route needs a token: %v; the document asks for the bearer token: %v", o, (rt.guard == token), bearer)
		}
		if !(rt.guard == token) && len(list(sec)) != 0 {
			t.Errorf("%s needs no token, but the document lists security %v", o, sec)
		}
	}
	if _, ok := obj(obj(obj(doc["components"])["securitySchemes"])["bearer"])["scheme"]; !ok {
		t.Error("components.securitySchemes.bearer is missing")
	}
}

func TestTheOpenAPIDocumentIsWellFormed(t *testing.T) {
	doc := openAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info := obj(doc["info"])
	if info["title"] != "kluis API" || info["version"] == nil || info["description"] == nil {
		t.Errorf("info = %v", info)
	}
	if servers := list(doc["servers"]); len(servers) != 1 || obj(servers[0])["url"] != "/" {
		t.Errorf("servers = %v, want [{url: /}]", doc["servers"])
	}

	// Pretty-printed with two spaces, so that diffs stay readable.
	var compact, pretty bytes.Buffer
	if err := json.Compact(&compact, openAPIDoc); err != nil {
		t.Fatal(err)
	}
	_ = json.Indent(&pretty, compact.Bytes(), "", "  ")
	pretty.WriteByte('\n')
	if !bytes.Equal(pretty.Bytes(), openAPIDoc) {
		t.Error("openapi.json is not pretty-printed with two spaces and a final newline")
	}

	tags := map[string]bool{}
	for _, tg := range list(doc["tags"]) {
		tags[obj(tg)["name"].(string)] = true
	}
	camel := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	ids := map[string]string{}
	for _, o := range operations(doc) {
		id, _ := o.op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s has no operationId", o)
		case !camel.MatchString(id):
			t.Errorf("%s: operationId %q is not camelCase", o, id)
		case ids[id] != "":
			t.Errorf("%s: operationId %q is also used by %s", o, id, ids[id])
		}
		ids[id] = o.String()
		if s, _ := o.op["summary"].(string); strings.TrimSpace(s) == "" {
			t.Errorf("%s has no summary", o)
		}
		if len(obj(o.op["responses"])) == 0 {
			t.Errorf("%s has no responses", o)
		}
		for code := range obj(o.op["responses"]) {
			if n, err := strconv.Atoi(code); err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response %q is not a status code", o, code)
			}
		}
		if len(strs(o.op["tags"])) == 0 {
			t.Errorf("%s has no tags", o)
		}
		for _, tg := range strs(o.op["tags"]) {
			if !tags[tg] {
				t.Errorf("%s: tag %q is not declared in the top-level tags", o, tg)
			}
		}
		// Every path template variable is a required path parameter.
		inPath := map[string]bool{}
		for _, p := range list(o.op["parameters"]) {
			p := deref(doc, p)
			if p["in"] == "path" {
				inPath[p["name"].(string)] = true
				if p["required"] != true {
					t.Errorf("%s: path parameter %v is not required", o, p["name"])
				}
			}
		}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(o.path, -1) {
			if !inPath[m[1]] {
				t.Errorf("%s: path variable {%s} has no path parameter", o, m[1])
			}
			delete(inPath, m[1])
		}
		for name := range inPath {
			t.Errorf("%s: path parameter %q is not in the path", o, name)
		}
	}

	// Every $ref resolves.
	var all []string
	refs(doc, &all)
	for _, r := range all {
		if _, ok := resolve(doc, r); !ok {
			t.Errorf("$ref %q does not resolve", r)
		}
	}

	// Every component is used by some operation, directly or through other
	// components.
	reached := map[string]bool{}
	var queue []string
	refs(doc["paths"], &queue)
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if reached[r] {
			continue
		}
		reached[r] = true
		if target, ok := resolve(doc, r); ok {
			refs(target, &queue)
		}
	}
	components := obj(doc["components"])
	for _, kind := range sortedKeys(components) {
		if kind == "securitySchemes" {
			continue
		}
		for _, name := range sortedKeys(obj(components[kind])) {
			if !reached["#/components/"+kind+"/"+name] {
				t.Errorf("components.%s.%s is not used by any operation", kind, name)
			}
		}
	}
	for name := range obj(components["securitySchemes"]) {
		used := false
		for _, o := range operations(doc) {
			for _, req := range list(o.op["security"]) {
				if _, ok := obj(req)[name]; ok {
					used = true
				}
			}
		}
		if !used {
			t.Errorf("security scheme %q is not used", name)
		}
	}
}

// jsonField is a field as encoding/json writes it.
type jsonField struct {
	name      string
	omitempty bool
	index     int // in the struct
}

func jsonFields(typ reflect.Type) []jsonField {
	var out []jsonField
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"), index: i})
	}
	return out
}

func fieldNames(fs []jsonField) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name)
	}
	return out
}

// sameNames reports the names missing from got and the extra ones in it.
func sameNames(want []string, got map[string]any) (missing, extra []string) {
	w := map[string]bool{}
	for _, n := range want {
		w[n] = true
		if _, ok := got[n]; !ok {
			missing = append(missing, n)
		}
	}
	for _, n := range sortedKeys(got) {
		if !w[n] {
			extra = append(extra, n)
		}
	}
	return missing, extra
}

// records maps the schema names of the record types to their Go types.
// breachLangs are the languages of a breach notice.
var breachLangs = kluis.LetterLanguages

var records = map[string]reflect.Type{
	"Candidate":       reflect.TypeFor[kluis.Candidate](),
	"Client":          reflect.TypeFor[kluis.Client](),
	"ClientContact":   reflect.TypeFor[kluis.ClientContact](),
	"Placement":       reflect.TypeFor[kluis.Placement](),
	"ContactMoment":   reflect.TypeFor[kluis.ContactMoment](),
	"Document":        reflect.TypeFor[kluis.Document](),
	"PayrollRecord":   reflect.TypeFor[kluis.PayrollRecord](),
	"Disclosure":      reflect.TypeFor[kluis.Disclosure](),
	"Branch":          reflect.TypeFor[kluis.Branch](),
	"AuditEntry":      reflect.TypeFor[kluis.AuditEntry](),
	"LegalHold":       reflect.TypeFor[kluis.LegalHold](),
	"Consent":         reflect.TypeFor[kluis.Consent](),
	"Request":         reflect.TypeFor[kluis.Request](),
	"Erasure":         reflect.TypeFor[kluis.Erasure](),
	"CleanupRun":      reflect.TypeFor[store.CleanupRun](),
	"Breach":          reflect.TypeFor[kluis.Breach](),
	"BreachCandidate": reflect.TypeFor[kluis.BreachCandidate](),
	"BreachLetter":    reflect.TypeFor[kluis.BreachLetter](),
	"Restriction":     reflect.TypeFor[kluis.Restriction](),
}

// computed are the properties the API adds to a record that are worked
// out when it is read, not kept with it: the breach's 72-hour clock.
var computed = map[string][]string{"Breach": {"clock"}}

func TestTheRecordSchemasNameEveryJSONField(t *testing.T) {
	doc := openAPI(t)
	schemas := obj(obj(doc["components"])["schemas"])
	readOnly := []string{"id", "created_at", "updated_at", "version"}
	for _, name := range sortedKeys(records) {
		typ := records[name]
		s := obj(schemas[name])
		if s == nil {
			t.Errorf("components.schemas.%s is missing", name)
			continue
		}
		fields := jsonFields(typ)
		props := obj(s["properties"])
		missing, extra := sameNames(fieldNames(fields), props)
		for _, m := range missing {
			t.Errorf("schema %s lacks the JSON field %s of kluis.%s", name, m, typ.Name())
		}
		for _, x := range extra {
			if !slices.Contains(computed[name], x) {
				t.Errorf("schema %s has property %s, which kluis.%s does not have", name, x, typ.Name())
			}
		}
		// Fields always written are required; omitempty ones are not.
		required := strs(s["required"])
		for _, f := range fields {
			if got := slices.Contains(required, f.name); got == f.omitempty {
				t.Errorf("schema %s: %s is required: %v, but kluis.%s writes it always: %v", name, f.name, got, typ.Name(), !f.omitempty)
			}
		}
		for _, ro := range readOnly {
			if p := obj(props[ro]); p != nil && p["readOnly"] != true {
				t.Errorf("schema %s: %s is not readOnly", name, ro)
			}
		}

		// The list envelope carries this record.
		if l := obj(schemas[name+"List"]); l != nil {
			lp := obj(l["properties"])
			envelope := reflect.TypeFor[listBody[int]]()
			if name == "Candidate" {
				envelope = reflect.TypeFor[searchBody[int]]()
			}
			missing, extra := sameNames(fieldNames(jsonFields(envelope)), lp)
			if len(missing)+len(extra) > 0 {
				t.Errorf("schema %sList: missing %v, extra %v", name, missing, extra)
			}
			if ref := obj(obj(lp["items"])["items"])["$ref"]; ref != "#/components/schemas/"+name {
				t.Errorf("schema %sList holds items %v, want %s", name, ref, name)
			}
		}

		// Request bodies are decoded onto the record with unknown fields
		// refused: they name exactly its fields, the read-only ones marked
		// as such, and nothing else.
		for _, in := range []string{name + "Create", name + "Patch"} {
			is := obj(schemas[in])
			if is == nil {
				continue
			}
			if is["additionalProperties"] != false {
				t.Errorf("schema %s: the server refuses unknown fields, so additionalProperties must be false", in)
			}
			ip := obj(is["properties"])
			missing, extra := sameNames(fieldNames(fields), ip)
			for _, m := range missing {
				t.Errorf("schema %s lacks the JSON field %s of kluis.%s", in, m, typ.Name())
			}
			for _, x := range extra {
				t.Errorf("schema %s has property %s, which the server refuses as unknown", in, x)
			}
			for _, ro := range readOnly {
				want := !(ro == "version" && strings.HasSuffix(in, "Patch"))
				if p := obj(ip[ro]); p != nil && (p["readOnly"] == true) != want {
					t.Errorf("schema %s: %s readOnly is %v, want %v", in, ro, p["readOnly"], want)
				}
			}
			for _, r := range strs(is["required"]) {
				if obj(ip[r])["readOnly"] == true {
					t.Errorf("schema %s requires the read-only field %s", in, r)
				}
			}
		}
	}

	// The other request bodies match the structs they are decoded onto.
	for name, typ := range map[string]reflect.Type{
		"CandidateSearch":      reflect.TypeFor[candidateSearch](),
		"DocumentDisclosure":   reflect.TypeFor[discloseRequest](),
		"SettingsChange":       reflect.TypeFor[settingsInput](),
		"RevealRequest":        reflect.TypeFor[revealRequest](),
		"FieldAccessChange":    reflect.TypeFor[fieldAccessChange](),
		"SSOChange":            reflect.TypeFor[ssoInput](),
		"HoldEnd":              reflect.TypeFor[holdEnd](),
		"ConsentWithdrawal":    reflect.TypeFor[consentWithdrawal](),
		"CleanupStart":         reflect.TypeFor[cleanupStart](),
		"RequestVerification":  reflect.TypeFor[requestVerification](),
		"RequestExtension":     reflect.TypeFor[requestExtension](),
		"RequestClosing":       reflect.TypeFor[requestClosing](),
		"RequestErasure":       reflect.TypeFor[requestErasure](),
		"RestrictionPlacement": reflect.TypeFor[restrictionBody](),
		"RestrictionInform":    reflect.TypeFor[informBody](),
		"RestrictionDecision":  reflect.TypeFor[decideBody](),
		"RestrictionLift":      reflect.TypeFor[versionBody](),
		"RequestRectification": reflect.TypeFor[rectifyBody](),
		"NoticeOrder":          reflect.TypeFor[store.NoticeOrder](),
		"CandidateNotice":      reflect.TypeFor[tellBody](),
	} {
		s := obj(schemas[name])
		missing, extra := sameNames(fieldNames(jsonFields(typ)), obj(s["properties"]))
		if len(missing)+len(extra) > 0 || s["additionalProperties"] != false {
			t.Errorf("schema %s: missing %v, extra %v, additionalProperties %v (want false)", name, missing, extra, s["additionalProperties"])
		}
	}

	// The settings as they are answered.
	set := obj(schemas["Settings"])
	if missing, extra := sameNames(fieldNames(jsonFields(reflect.TypeFor[settingsBody]())), obj(set["properties"])); len(missing)+len(extra) > 0 {
		t.Errorf("schema Settings: missing %v, extra %v", missing, extra)
	}
	item := obj(obj(obj(set["properties"])["collect"])["items"])
	if missing, extra := sameNames(fieldNames(jsonFields(reflect.TypeFor[collectItem]())), obj(item["properties"])); len(missing)+len(extra) > 0 {
		t.Errorf("schema Settings.collect[]: missing %v, extra %v", missing, extra)
	}

	// The erasure preview as it is answered.
	if missing, extra := sameNames(fieldNames(jsonFields(reflect.TypeFor[erasurePreview]())), obj(obj(schemas["ErasurePreview"])["properties"])); len(missing)+len(extra) > 0 {
		t.Errorf("schema ErasurePreview: missing %v, extra %v", missing, extra)
	}
	for name, typ := range map[string]reflect.Type{"ErasedGroup": reflect.TypeFor[kluis.ErasedGroup](), "KeptGroup": reflect.TypeFor[kluis.KeptGroup]()} {
		if missing, extra := sameNames(fieldNames(jsonFields(typ)), obj(obj(schemas[name])["properties"])); len(missing)+len(extra) > 0 {
			t.Errorf("schema %s: missing %v, extra %v", name, missing, extra)
		}
	}

	// The single sign-on as it is answered: never the secret, and the
	// change takes it write-only.
	sso := obj(schemas["SSO"])
	if missing, extra := sameNames(fieldNames(jsonFields(reflect.TypeFor[ssoBody]())), obj(sso["properties"])); len(missing)+len(extra) > 0 {
		t.Errorf("schema SSO: missing %v, extra %v", missing, extra)
	}
	if _, ok := obj(sso["properties"])["client_secret"]; ok {
		t.Error("schema SSO answers the client secret")
	}
	if obj(obj(obj(schemas["SSOChange"])["properties"])["client_secret"])["writeOnly"] != true {
		t.Error("schema SSOChange: client_secret is not writeOnly")
	}

	// The error body, with exactly the codes that have a status.
	errSchema := obj(schemas["Error"])
	missing, extra := sameNames(fieldNames(jsonFields(reflect.TypeFor[errorBody]())), obj(errSchema["properties"]))
	detail := obj(obj(errSchema["properties"])["error"])
	m2, x2 := sameNames(fieldNames(jsonFields(reflect.TypeFor[errorDetail]())), obj(detail["properties"]))
	if len(missing)+len(extra)+len(m2)+len(x2) > 0 {
		t.Errorf("schema Error: missing %v %v, extra %v %v", missing, m2, extra, x2)
	}
	var codes []string
	for c := range status {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	got := strs(obj(obj(detail["properties"])["code"])["enum"])
	sort.Strings(got)
	if !slices.Equal(got, codes) {
		t.Errorf("Error code enum = %v, want the codes of the status map %v", got, codes)
	}
}

// enums collects every enum below a schema, keyed by a path such as
// "Disclosure.categories[]".
func enums(prefix string, s map[string]any, out map[string][]string) {
	if e, ok := s["enum"]; ok {
		out[prefix] = strs(e)
	}
	props := obj(s["properties"])
	for _, k := range sortedKeys(props) {
		enums(prefix+"."+k, obj(props[k]), out)
	}
	if items := obj(s["items"]); items != nil {
		enums(prefix+"[]", items, out)
	}
}

func TestTheEnumsInTheDocumentAreTheChoices(t *testing.T) {
	doc := openAPI(t)
	components := obj(doc["components"])
	schemas := obj(components["schemas"])
	found := map[string][]string{}
	for _, name := range sortedKeys(schemas) {
		enums(name, obj(schemas[name]), found)
	}
	params := obj(components["parameters"])
	for _, name := range sortedKeys(params) {
		enums("parameters."+name, obj(obj(params[name])["schema"]), found)
	}

	// Optional fields also take "" (not given); it is the last value.
	type check struct {
		cs       kluis.Choices
		optional bool
	}
	checks := map[string]check{
		"parameters.CandidateStatusFilter":      {kluis.CandidateStatuses, false},
		"parameters.ContactKindFilter":          {kluis.ContactKinds, false},
		"Candidate.language":                    {kluis.CandidateLanguages, true},
		"CandidateCreate.language":              {kluis.CandidateLanguages, true},
		"CandidatePatch.language":               {kluis.CandidateLanguages, true},
		"ContactMoment.statement_channel":       {kluis.StatementChannels, false},
		"ContactMoment.delivery":                {kluis.Deliveries, false},
		"ContactMomentPatch.statement_channel":  {kluis.StatementChannels, false},
		"ContactMomentPatch.delivery":           {kluis.Deliveries, false},
		"ContactMomentCreate.statement_channel": {kluis.StatementChannels, false},
		"ContactMomentCreate.delivery":          {kluis.Deliveries, false},
		"parameters.DocumentKindFilter":         {kluis.DocumentKinds, false},
		"CandidateSearch.status":                {kluis.CandidateStatuses, false},
		"RevealRequest.reason":                  {kluis.RevealReasons, false},
		"parameters.AuditActionFilter":          {kluis.AuditActions, false},
		"AuditEntry.action":                     {kluis.AuditActions, false},
		"DocumentUpload.kind":                   {kluis.DocumentKinds, false},
		"parameters.ErasureReason":              {previewReasons, false},
		"Erasure.reason":                        {kluis.ErasureReasons, false},
		"ErasurePreview.reason":                 {previewReasons, false},
		"CleanupRun.state":                      {kluis.CleanupStates, false},
		"parameters.RequestStatusFilter":        {kluis.RequestStatuses, false},
		"parameters.RequestKindFilter":          {kluis.RequestKinds, false},
		"RequestVerification.verified_how":      {kluis.VerificationMethods, false},
		"RequestClosing.status":                 {kluis.RequestClosings, false},
		"parameters.OverdueFilter":              {yesNo, false},
		"Request.verified_how":                  {kluis.VerificationMethods, true},
		"RequestCreate.verified_how":            {kluis.VerificationMethods, true},
		"RequestLetter.kind":                    {kluis.LetterKinds, false},
		"RequestLetter.lang":                    {kluis.LetterLanguages, false},
		"RequestLetterInput.kind":               {letterFormKinds, false},
		"RequestLetterInput.lang":               {kluis.LetterLanguages, false},
		"RequestAnswerInput.lang":               {kluis.LetterLanguages, false},
		"parameters.BreachStatusFilter":         {kluis.BreachStatuses, false},
		"parameters.UndecidedFilter":            {yesNo, false},
		"Breach.status":                         {kluis.BreachStatuses, false},
		"Breach.risk":                           {kluis.BreachRisks, true},
		"Breach.decision":                       {kluis.BreachDecisions, true},
		"Breach.inform_decision":                {kluis.BreachInformDecisions, true},
		"Breach.categories[]":                   {kluis.BreachCategories, false},
		"BreachReport.categories[]":             {kluis.BreachCategories, false},
		"BreachEdit.categories[]":               {kluis.BreachCategories, false},
		"BreachEdit.risk":                       {kluis.BreachRisks, true},
		"BreachEdit.inform_decision":            {kluis.BreachInformDecisions, true},
		"BreachDecision.decision":               {kluis.BreachDecisions, false},
		"BreachCandidate.informed_via":          {kluis.BreachNoticeChannels, true},
		"BreachNotice.channel":                  {kluis.BreachNoticeChannels, false},
		"BreachNotice.lang":                     {breachLangs, false},
		"CandidateSearch.restricted":            {restrictedChoices, false},
		"parameters.RestrictedFilter":           {restrictedChoices, false},
		"parameters.RestrictionStateFilter":     {restrictionStates, false},
		"Restriction.ground":                    {kluis.RestrictionGrounds, false},
		"Restriction.informed_how":              {kluis.InformMethods, true},
		"Restriction.outcome":                   {kluis.ObjectionOutcomes, true},
		"RestrictionPlacement.ground":           {kluis.RestrictionGrounds, false},
		"RestrictionInform.informed_how":        {kluis.InformMethods, false},
		"RestrictionInform.lang":                {noticeLanguages, false},
		"RestrictionDecision.outcome":           {kluis.ObjectionOutcomes, false},
		"ProcessingOverride.reason":             {kluis.OverrideReasons, false},
		"RecipientNotice.about":                 {kluis.NoticeSubjects, false},
		"RecipientNotice.channel":               {kluis.NoticeChannels, false},
		"NoticeOrder.about":                     {kluis.NoticeSubjects, true},
		"NoticeOrder.channel":                   {kluis.NoticeChannels, false},
		"NoticeOrder.lang":                      {noticeLanguages, false},
		"CandidateNotice.channel":               {kluis.NoticeChannels, false},
		"CandidateNotice.lang":                  {noticeLanguages, false},
		"BreachLetter.lang":                     {kluis.LetterLanguages, false},
	}
	for rec, fields := range map[string]map[string]check{
		"Candidate": {
			"status":           {kluis.CandidateStatuses, false},
			"source":           {kluis.CandidateSources, false},
			"id_document_type": {kluis.IDDocumentTypes, true},
			"availability":     {kluis.Availabilities, true},
		},
		"ContactMoment": {"kind": {kluis.ContactKinds, false}},
		"Document":      {"kind": {kluis.DocumentKinds, false}},
		"Disclosure": {
			"recipient_kind": {kluis.RecipientKinds, false},
			"categories[]":   {kluis.DataCategories, false},
		},
		"Placement": {"contract_kind": {kluis.ContractKinds, false}},
		"LegalHold": {"kind": {kluis.HoldKinds, false}},
		"Consent":   {"channel": {kluis.ConsentChannels, false}},
		"Request": {
			"kind":    {kluis.RequestKinds, false},
			"channel": {kluis.RequestChannels, false},
			"status":  {kluis.RequestStatuses, false},
		},
	} {
		for field, c := range fields {
			checks[rec+"."+field] = c
			for _, in := range []string{"Create", "Patch"} {
				if schemas[rec+in] != nil {
					checks[rec+in+"."+field] = c
				}
			}
		}
	}
	for _, where := range sortedKeys(checks) {
		c := checks[where]
		want := c.cs.Values()
		if c.optional {
			want = append(want, "")
		}
		got, ok := found[where]
		if !ok {
			t.Errorf("%s has no enum; want %q", where, want)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s enum = %q, want %q", where, got, want)
		}
	}

	// The enums that are not Choices are checked elsewhere: the error codes
	// against the status map, the sorts against the store by the server test.
	others := map[string]bool{"Error.error.code": true, "Status.status": true,
		"Settings.collect[].key": true, "SettingsChange.not_collected[]": true, "RevealRequest.fields[]": true,
		"FieldAccess.permissions[].role": true, "FieldAccess.permissions[].access": true, "FieldAccess.permissions[].default": true,
		"FieldAccessChange.permissions[].role": true, "FieldAccessChange.permissions[].access": true,
		"RetentionPlan.items[].category": true, "RetentionPlan.items[].rule": true, "RetentionPlan.items[].rules[]": true,
		"DueList.items[].due[].category": true, "DueList.items[].due[].rule": true, "DueList.items[].due[].rules[]": true}
	sorts := map[string][]string{}
	for _, where := range sortedKeys(found) {
		if strings.HasSuffix(where, "Sort") || strings.HasSuffix(where, ".sort") {
			sorts[where] = found[where]
			continue
		}
		if _, ok := checks[where]; !ok && !others[where] {
			t.Errorf("the enum at %s is not checked against kluis.Choices: add it to this test", where)
		}
	}
	// The optional items are the catalogue's.
	var keys []string
	for _, c := range catalog.New().Collectables() {
		keys = append(keys, c.Key)
	}
	for _, where := range []string{"Settings.collect[].key", "SettingsChange.not_collected[]"} {
		if !slices.Equal(found[where], keys) {
			t.Errorf("%s enum = %q, want the catalogue's optional items %q", where, found[where], keys)
		}
	}
	// The retention plan's categories and rules are the catalogue's.
	var cats []string
	for _, c := range kluis.DataCategories {
		cats = append(cats, c.Value)
	}
	if got := found["RetentionPlan.items[].category"]; !slices.Equal(got, cats) {
		t.Errorf("RetentionPlan.items[].category enum = %q, want %q", got, cats)
	}
	rules := []string{"R1", "R2", "R3", "R4", "R5", "R6"}
	for _, where := range []string{"RetentionPlan.items[].rule", "RetentionPlan.items[].rules[]"} {
		if !slices.Equal(found[where], rules) {
			t.Errorf("%s enum = %q, want %q", where, found[where], rules)
		}
	}
	// The permission grid's roles and levels are kluis's.
	var roleNames, levels []string
	for _, r := range kluis.Roles {
		roleNames = append(roleNames, string(r))
	}
	for a := catalog.Hidden; a <= catalog.Write; a++ {
		levels = append(levels, a.String())
	}
	for where, want := range map[string][]string{
		"FieldAccess.permissions[].role": roleNames, "FieldAccessChange.permissions[].role": roleNames,
		"FieldAccess.permissions[].access": levels, "FieldAccess.permissions[].default": levels, "FieldAccessChange.permissions[].access": levels,
	} {
		if !slices.Equal(found[where], want) {
			t.Errorf("%s enum = %q, want %q", where, found[where], want)
		}
	}
	for where, vals := range sorts {
		for _, v := range vals {
			if !strings.HasPrefix(v, "-") && !slices.Contains(vals, "-"+v) {
				t.Errorf("%s offers %s but not -%s", where, v, v)
			}
		}
	}
	if !slices.Equal(found["parameters.CandidateSort"], found["CandidateSearch.sort"]) {
		t.Errorf("the candidate list sorts %v and search sorts %v differ; both go to the same store filter",
			found["parameters.CandidateSort"], found["CandidateSearch.sort"])
	}

	// The download offers exactly the content types an upload may have.
	var types []string
	download := obj(obj(obj(doc["paths"])["/api/v1/documents/{id}/content"])["get"])
	for ct := range obj(obj(obj(download["responses"])["200"])["content"]) {
		types = append(types, ct)
	}
	sort.Strings(types)
	want := slices.Clone(kluis.DocumentContentTypes)
	sort.Strings(want)
	if !slices.Equal(types, want) {
		t.Errorf("document content types = %v, want kluis.DocumentContentTypes %v", types, want)
	}
}

// TestTheDocumentedQueryParametersAreAccepted asks a real server (on SQLite)
// every list with every documented enum value and with the bounds of every
// documented number, and checks that values just outside are refused.
func TestTheDocumentedQueryParametersAreAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	doc := openAPI(t)
	e := storetest.Open(t, store.SQLite)
	client := e.MustCreateClient(t, "Logistiek Noord BV")
	cand := e.MustCreateCandidate(t, "Jansen")
	// The privacy officer may read every kind of record.
	officer := &kluis.User{Email: "privacy@test.kluis.test", Role: kluis.RolePrivacy}
	if err := e.DB.CreateUser(context.Background(), e.Tenant.ID, officer); err != nil {
		t.Fatal(err)
	}
	secret, _, err := e.DB.CreateToken(context.Background(), e.Tenant.ID, officer.ID, "openapi-test", 0)
	if err != nil {
		t.Fatal(err)
	}
	breach := &kluis.Breach{Title: "Laptop kwijt", DiscoveredAt: e.Clock.Now(), Facts: "In de trein laten liggen."}
	if err := e.DB.ReportBreach(context.Background(), kluis.Actor{TenantID: e.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}, breach); err != nil {
		t.Fatal(err)
	}
	h, err := New(e.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	do := func(method, path string, body any) int {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+secret)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode
	}
	expect := func(want int, method, path string, body any) {
		t.Helper()
		if got := do(method, path, body); got != want {
			b, _ := json.Marshal(body)
			if body == nil {
				b = nil
			}
			t.Errorf("%s %s %s: status %d, want %d", method, path, b, got, want)
		}
	}

	for _, o := range operations(doc) {
		if o.method != "get" || obj(o.op["responses"])["400"] == nil {
			continue
		}
		path := strings.ReplaceAll(o.path, "{id}", strconv.FormatInt(client.ID, 10))
		if o.path == "/api/v1/candidates/{id}/record-card" || o.path == "/api/v1/candidates/{id}/erasure-preview" ||
			o.path == "/api/v1/candidates/{id}/portability" || o.path == "/api/v1/candidates/{id}/documents-archive" {
			path = strings.ReplaceAll(o.path, "{id}", strconv.FormatInt(cand.ID, 10))
		} else if o.path == "/api/v1/breaches/{id}/candidates" || o.path == "/api/v1/breaches/{id}/export" {
			path = strings.ReplaceAll(o.path, "{id}", strconv.FormatInt(breach.ID, 10))
		} else if strings.Contains(o.path, "{id}") && o.path != "/api/v1/clients/{id}/contacts" {
			t.Errorf("%s: add an id for it to this test", o)
			continue
		}
		expect(200, "GET", path, nil)
		for _, p := range list(o.op["parameters"]) {
			p := deref(doc, p)
			if p["in"] != "query" {
				continue
			}
			name, s := p["name"].(string), obj(p["schema"])
			q := func(v string) string { return path + "?" + url.Values{name: {v}}.Encode() }
			switch {
			case s["enum"] != nil:
				for _, v := range strs(s["enum"]) {
					expect(200, "GET", q(v), nil)
				}
				expect(400, "GET", q("no-such-value"), nil)
			case s["type"] == "integer":
				lo, hasLo := s["minimum"].(float64)
				hi, hasHi := s["maximum"].(float64)
				if hasLo {
					expect(200, "GET", q(fmt.Sprint(int64(lo))), nil)
					expect(400, "GET", q(fmt.Sprint(int64(lo)-1)), nil)
				}
				if hasHi {
					expect(200, "GET", q(fmt.Sprint(int64(hi))), nil)
					expect(400, "GET", q(fmt.Sprint(int64(hi)+1)), nil)
				}
				expect(400, "GET", q("many"), nil)
			case s["pattern"] != nil:
				// A value of its own form (a month), and one that is not.
				expect(200, "GET", q(s["examples"].([]any)[0].(string)), nil)
				expect(400, "GET", q("Utrecht"), nil)
			case s["format"] == "date":
				expect(200, "GET", q("2026-11-30"), nil)
				expect(200, "GET", q("30-11-2026"), nil)
				expect(400, "GET", q("2026-13-45"), nil)
			default:
				expect(200, "GET", q("Utrecht"), nil)
			}
		}
	}

	// The search body: every sort and status, and the page bounds.
	search := obj(obj(obj(obj(doc["components"])["schemas"])["CandidateSearch"])["properties"])
	for _, field := range []string{"sort", "status"} {
		for _, v := range strs(obj(search[field])["enum"]) {
			expect(200, "POST", "/api/v1/candidates/search", map[string]any{field: v})
		}
		expect(400, "POST", "/api/v1/candidates/search", map[string]any{field: "no-such-value"})
	}
	limit := obj(search["limit"])
	expect(200, "POST", "/api/v1/candidates/search", map[string]any{"limit": limit["maximum"]})
	expect(400, "POST", "/api/v1/candidates/search", map[string]any{"limit": limit["maximum"].(float64) + 1})
	expect(400, "POST", "/api/v1/candidates/search", map[string]any{"offset": -1})
	expect(400, "POST", "/api/v1/candidates/search", map[string]any{"shoe_size": 44})
}

// TestTheMaximumLengthsAreTheOnesValidateEnforces sets every string field
// with a maxLength in a record schema to that many characters, and to one
// more, on an otherwise valid record.
func TestTheMaximumLengthsAreTheOnesValidateEnforces(t *testing.T) {
	doc := openAPI(t)
	schemas := obj(obj(doc["components"])["schemas"])
	now := storetest.Start
	today := kluis.DateOf(now)
	valid := map[string]func() (any, func() error){
		"Candidate": func() (any, func() error) {
			c := &kluis.Candidate{BranchID: 1, LastName: "Jansen"}
			return c, func() error { return c.Validate(today) }
		},
		"Client": func() (any, func() error) {
			c := &kluis.Client{BranchID: 1, Name: "Logistiek Noord BV"}
			return c, c.Validate
		},
		"ClientContact": func() (any, func() error) {
			c := &kluis.ClientContact{ClientID: 1, Name: "Petra Smit"}
			return c, c.Validate
		},
		"Placement": func() (any, func() error) {
			p := &kluis.Placement{CandidateID: 1, ClientID: 1, Function: "Orderpicker", StartDate: "2026-11-30"}
			return p, p.Validate
		},
		"ContactMoment": func() (any, func() error) {
			m := &kluis.ContactMoment{CandidateID: 1, Kind: "phone"}
			return m, func() error { return m.Validate(now) }
		},
		"Disclosure": func() (any, func() error) {
			d := &kluis.Disclosure{CandidateID: 1, RecipientKind: "other", Recipient: "UWV", Categories: []string{"identity"}, Purpose: "Uitkering"}
			return d, func() error { return d.Validate(now) }
		},
		"LegalHold": func() (any, func() error) {
			h := &kluis.LegalHold{CandidateID: 1, Kind: "dispute", Reason: "Zaak 2026/114"}
			return h, func() error { return h.Validate(today) }
		},
		"Request": func() (any, func() error) {
			q := &kluis.Request{CandidateID: 1, Kind: "access", Channel: "email"}
			return q, func() error { return q.Validate(today) }
		},
		"Breach": func() (any, func() error) {
			b := &kluis.Breach{Title: "Laptop kwijt", DiscoveredAt: now, Facts: "In de trein"}
			return b, func() error { return b.Validate(now) }
		},
		"Consent": func() (any, func() error) {
			c := &kluis.Consent{CandidateID: 1, Channel: "email", Wording: "Toestemmingstekst v2", ValidUntil: "2027-11-29"}
			return c, func() error { return c.Validate(today) }
		},
	}
	// Fields whose maxLength is not a plain length rule of Validate.
	notLengthRules := map[string]bool{"email": true, "postcode": true, "nationality": true, "country": true}
	for _, name := range sortedKeys(valid) {
		props := obj(obj(schemas[name])["properties"])
		for _, field := range sortedKeys(props) {
			max, ok := obj(props[field])["maxLength"].(float64)
			if !ok || notLengthRules[field] {
				continue
			}
			for _, n := range []int{int(max), int(max) + 1} {
				rec, validate := valid[name]()
				v := reflect.ValueOf(rec).Elem()
				set := false
				for _, f := range jsonFields(v.Type()) {
					if f.name == field {
						v.Field(f.index).SetString(strings.Repeat("é", n))
						set = true
					}
				}
				if !set {
					t.Fatalf("%s has no field %s", name, field)
				}
				var ke *kluis.Error
				if err := validate(); err != nil && !errors.As(err, &ke) {
					t.Fatal(err)
				}
				refused := false
				if ke != nil {
					_, refused = ke.Fields[field]
				}
				if refused != (n > int(max)) {
					t.Errorf("%s.%s with %d characters: refused %v; the document says maxLength %d", name, field, n, refused, int(max))
				}
			}
		}
	}
}
