package cloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// The decoders of this file read the response bodies gpupass parses itself
// (gophercloud's Flavor has no "disabled" field, and its Hypervisor fails a
// whole page on a null hypervisor_version). They are lenient where real
// clouds differ (Nova's swap is "" or a number; hypervisor IDs are numbers
// before microversion 2.53) and never panic: each has a fuzz target.

// flexInt is an integer that also accepts a float, a numeric string, "" and
// null (as 0). Out-of-range values are an error, not a wrap-around.
type flexInt int

func (n *flexInt) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*n = 0
		return nil
	}
	text := string(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		text = strings.TrimSpace(s)
		if text == "" {
			*n = 0
			return nil
		}
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		if i > math.MaxInt || i < math.MinInt {
			return fmt.Errorf("number %s out of range", text)
		}
		*n = flexInt(i)
		return nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return fmt.Errorf("not a number: %.40q", text)
	}
	*n = flexInt(int64(f))
	return nil
}

// flexString is a string that also accepts a number or a boolean (kept as
// their JSON text) and null (as "").
type flexString string

func (s *flexString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case string(data) == "null":
		*s = ""
	case len(data) > 0 && data[0] == '"':
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case len(data) > 0 && (data[0] == '{' || data[0] == '['):
		return fmt.Errorf("expected a string, got %.20s", data)
	default:
		*s = flexString(data)
	}
	return nil
}

type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// nextHref is the href of the "next" link, "" when there is none.
func nextHref(links []link) string {
	for _, l := range links {
		if l.Rel == "next" {
			return l.Href
		}
	}
	return ""
}

// apiVersion is one entry of a version document.
type apiVersion struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Version    string `json:"version"`     // Nova: the maximum microversion
	MaxVersion string `json:"max_version"` // Placement
	MinVersion string `json:"min_version"`
}

// parseVersions reads a version document, either a single version
// ({"version": {...}}, what GET on a versioned endpoint such as /v2.1/
// returns) or a list ({"versions": [...]}, the unversioned root), and returns
// the maximum microversion of the entry whose ID is wantID ("v2.1", "v1.0"),
// or of the only entry. "" means no microversions are announced.
func parseVersions(body []byte, wantID string) (maxVersion string, err error) {
	var doc struct {
		Version  *apiVersion     `json:"version"`
		Versions json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("not a version document: %w", err)
	}
	var list []apiVersion
	if doc.Version != nil {
		list = []apiVersion{*doc.Version}
	} else if len(doc.Versions) > 0 {
		if err := json.Unmarshal(doc.Versions, &list); err != nil {
			// Keystone's {"versions": {"values": [...]}}.
			var wrapped struct {
				Values []apiVersion `json:"values"`
			}
			if err := json.Unmarshal(doc.Versions, &wrapped); err != nil {
				return "", fmt.Errorf("not a version document: %w", err)
			}
			list = wrapped.Values
		}
	}
	if len(list) == 0 {
		return "", fmt.Errorf("not a version document: no version in it")
	}
	pick := -1
	for i, v := range list {
		if v.ID == wantID {
			pick = i
		}
	}
	if pick < 0 {
		if len(list) != 1 {
			return "", fmt.Errorf("the version document has no %s", wantID)
		}
		pick = 0
	}
	v := list[pick]
	maxVersion = firstNonEmpty(v.Version, v.MaxVersion)
	if maxVersion == "" {
		return "", nil
	}
	if _, _, err := parseMicroversion(maxVersion); err != nil {
		return "", err
	}
	return maxVersion, nil
}

// parseMicroversion parses "2.61" into (2, 61).
func parseMicroversion(v string) (major, minor int, err error) {
	majorText, minorText, ok := strings.Cut(v, ".")
	if ok {
		major, err = strconv.Atoi(majorText)
		if err == nil {
			minor, err = strconv.Atoi(minorText)
		}
	}
	if !ok || err != nil || major < 0 || minor < 0 {
		return 0, 0, fmt.Errorf("bad microversion %.20q", v)
	}
	return major, minor, nil
}

// minMicroversion is the lower of want and max (max "" = unknown: want).
// Both must parse; parseVersions has checked max.
func minMicroversion(want, max string) string {
	if max == "" {
		return want
	}
	wMajor, wMinor, _ := parseMicroversion(want)
	mMajor, mMinor, _ := parseMicroversion(max)
	if mMajor < wMajor || (mMajor == wMajor && mMinor < wMinor) {
		return max
	}
	return want
}

// atLeast says whether microversion v is at least want. "" is the base
// version, below any microversion.
func atLeast(v, want string) bool {
	if v == "" {
		return false
	}
	vMajor, vMinor, err := parseMicroversion(v)
	if err != nil {
		return false
	}
	wMajor, wMinor, _ := parseMicroversion(want)
	return vMajor > wMajor || (vMajor == wMajor && vMinor >= wMinor)
}

type flavorJSON struct {
	ID          flexString             `json:"id"`
	Name        flexString             `json:"name"`
	Description flexString             `json:"description"`
	VCPUs       flexInt                `json:"vcpus"`
	RAM         flexInt                `json:"ram"`
	Disk        flexInt                `json:"disk"`
	Ephemeral   flexInt                `json:"OS-FLV-EXT-DATA:ephemeral"`
	Swap        flexInt                `json:"swap"`
	IsPublic    *bool                  `json:"os-flavor-access:is_public"`
	Disabled    bool                   `json:"OS-FLV-DISABLED:disabled"`
	ExtraSpecs  *map[string]flexString `json:"extra_specs"`
}

// flavorPage is one page of GET /flavors/detail.
type flavorPage struct {
	flavors []cloudmodel.Flavor
	// next is the href of the next page's link ("" on the last page).
	next string
	// withoutSpecs counts the flavors that came without an extra_specs key
	// (all of them below microversion 2.61, or when policy hides them).
	withoutSpecs int
}

func parseFlavorPage(body []byte) (flavorPage, error) {
	var doc struct {
		Flavors *[]flavorJSON `json:"flavors"`
		Links   []link        `json:"flavors_links"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return flavorPage{}, fmt.Errorf("cannot decode the flavor list: %w", err)
	}
	if doc.Flavors == nil {
		return flavorPage{}, fmt.Errorf("cannot decode the flavor list: no \"flavors\" in the answer")
	}
	page := flavorPage{next: nextHref(doc.Links), flavors: make([]cloudmodel.Flavor, 0, len(*doc.Flavors))}
	for _, f := range *doc.Flavors {
		flavor := cloudmodel.Flavor{
			ID:          string(f.ID),
			Name:        string(f.Name),
			Description: string(f.Description),
			VCPUs:       int(f.VCPUs),
			RAMMB:       int(f.RAM),
			DiskGB:      int(f.Disk),
			EphemeralGB: int(f.Ephemeral),
			SwapMB:      int(f.Swap),
			IsPublic:    f.IsPublic == nil || *f.IsPublic,
			Disabled:    f.Disabled,
		}
		if f.ExtraSpecs != nil {
			flavor.ExtraSpecs = stringMap(*f.ExtraSpecs)
		} else {
			page.withoutSpecs++
		}
		page.flavors = append(page.flavors, flavor)
	}
	return page, nil
}

func stringMap(m map[string]flexString) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// parseExtraSpecs reads GET /flavors/{id}/os-extra_specs.
func parseExtraSpecs(body []byte) (map[string]string, error) {
	var doc struct {
		ExtraSpecs *map[string]flexString `json:"extra_specs"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("cannot decode the extra specs: %w", err)
	}
	if doc.ExtraSpecs == nil {
		return nil, fmt.Errorf("cannot decode the extra specs: no \"extra_specs\" in the answer")
	}
	return stringMap(*doc.ExtraSpecs), nil
}

type hypervisorJSON struct {
	ID           json.RawMessage `json:"id"`
	Hostname     flexString      `json:"hypervisor_hostname"`
	State        flexString      `json:"state"`
	Status       flexString      `json:"status"`
	Type         flexString      `json:"hypervisor_type"`
	VCPUs        flexInt         `json:"vcpus"`
	VCPUsUsed    flexInt         `json:"vcpus_used"`
	MemoryMB     flexInt         `json:"memory_mb"`
	MemoryMBUsed flexInt         `json:"memory_mb_used"`
	RunningVMs   flexInt         `json:"running_vms"`
	Service      *struct {
		Host flexString `json:"host"`
	} `json:"service"`
}

type hypervisorPage struct {
	hypervisors []cloudmodel.Hypervisor
	next        string
}

// parseHypervisorPage reads a page of GET /os-hypervisors/detail.
func parseHypervisorPage(body []byte) (hypervisorPage, error) {
	var doc struct {
		Hypervisors *[]hypervisorJSON `json:"hypervisors"`
		Links       []link            `json:"hypervisors_links"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return hypervisorPage{}, fmt.Errorf("cannot decode the hypervisor list: %w", err)
	}
	if doc.Hypervisors == nil {
		return hypervisorPage{}, fmt.Errorf("cannot decode the hypervisor list: no \"hypervisors\" in the answer")
	}
	page := hypervisorPage{next: nextHref(doc.Links), hypervisors: make([]cloudmodel.Hypervisor, 0, len(*doc.Hypervisors))}
	for _, h := range *doc.Hypervisors {
		var id flexString
		if len(h.ID) > 0 {
			if err := json.Unmarshal(h.ID, &id); err != nil {
				return hypervisorPage{}, fmt.Errorf("cannot decode the hypervisor list: id: %w", err)
			}
		}
		hv := cloudmodel.Hypervisor{
			ID:           string(id),
			Hostname:     string(h.Hostname),
			State:        string(h.State),
			Status:       string(h.Status),
			Type:         string(h.Type),
			VCPUs:        int(h.VCPUs),
			VCPUsUsed:    int(h.VCPUsUsed),
			MemoryMB:     int(h.MemoryMB),
			MemoryMBUsed: int(h.MemoryMBUsed),
			RunningVMs:   int(h.RunningVMs),
		}
		if h.Service != nil {
			hv.ServiceHost = string(h.Service.Host)
		}
		page.hypervisors = append(page.hypervisors, hv)
	}
	return page, nil
}

// parseProviders reads GET /resource_providers.
func parseProviders(body []byte) ([]cloudmodel.ResourceProvider, error) {
	var doc struct {
		Providers *[]struct {
			UUID       flexString `json:"uuid"`
			Name       flexString `json:"name"`
			Generation flexInt    `json:"generation"`
			Parent     flexString `json:"parent_provider_uuid"`
			Root       flexString `json:"root_provider_uuid"`
		} `json:"resource_providers"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("cannot decode the resource provider list: %w", err)
	}
	if doc.Providers == nil {
		return nil, fmt.Errorf("cannot decode the resource provider list: no \"resource_providers\" in the answer")
	}
	providers := make([]cloudmodel.ResourceProvider, 0, len(*doc.Providers))
	for _, p := range *doc.Providers {
		rp := cloudmodel.ResourceProvider{
			UUID:       string(p.UUID),
			Name:       string(p.Name),
			Generation: int(p.Generation),
			ParentUUID: string(p.Parent),
			RootUUID:   string(p.Root),
		}
		if rp.RootUUID == "" {
			// Before placement 1.14 there were no nested providers.
			rp.RootUUID = rp.UUID
		}
		providers = append(providers, rp)
	}
	return providers, nil
}

// parseInventories reads GET /resource_providers/{uuid}/inventories.
func parseInventories(body []byte) (map[string]cloudmodel.Inventory, error) {
	var doc struct {
		Inventories *map[string]struct {
			Total           flexInt  `json:"total"`
			Reserved        flexInt  `json:"reserved"`
			MinUnit         flexInt  `json:"min_unit"`
			MaxUnit         flexInt  `json:"max_unit"`
			StepSize        flexInt  `json:"step_size"`
			AllocationRatio *float64 `json:"allocation_ratio"`
		} `json:"inventories"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("cannot decode the inventories: %w", err)
	}
	if doc.Inventories == nil {
		return nil, fmt.Errorf("cannot decode the inventories: no \"inventories\" in the answer")
	}
	out := make(map[string]cloudmodel.Inventory, len(*doc.Inventories))
	for class, inv := range *doc.Inventories {
		ratio := 1.0 // placement's default
		if inv.AllocationRatio != nil {
			ratio = *inv.AllocationRatio
		}
		out[class] = cloudmodel.Inventory{
			Total:           int(inv.Total),
			Reserved:        int(inv.Reserved),
			MinUnit:         int(inv.MinUnit),
			MaxUnit:         int(inv.MaxUnit),
			StepSize:        int(inv.StepSize),
			AllocationRatio: ratio,
		}
	}
	return out, nil
}

// parseUsages reads GET /resource_providers/{uuid}/usages.
func parseUsages(body []byte) (map[string]int, error) {
	var doc struct {
		Usages *map[string]flexInt `json:"usages"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("cannot decode the usages: %w", err)
	}
	if doc.Usages == nil {
		return nil, fmt.Errorf("cannot decode the usages: no \"usages\" in the answer")
	}
	out := make(map[string]int, len(*doc.Usages))
	for class, n := range *doc.Usages {
		out[class] = int(n)
	}
	return out, nil
}

// parseTraits reads GET /resource_providers/{uuid}/traits; the traits come
// back sorted.
func parseTraits(body []byte) ([]string, error) {
	var doc struct {
		Traits *[]flexString `json:"traits"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("cannot decode the traits: %w", err)
	}
	if doc.Traits == nil {
		return nil, fmt.Errorf("cannot decode the traits: no \"traits\" in the answer")
	}
	out := make([]string, 0, len(*doc.Traits))
	for _, t := range *doc.Traits {
		out = append(out, string(t))
	}
	sort.Strings(out)
	return out, nil
}

// serverMessage extracts the human message of an OpenStack error body:
// Nova's {"forbidden": {"message": ...}}, Keystone's {"error": {"message":
// ...}}, Placement's {"errors": [{"detail": ...}]}, or a short plain-text
// body. It is cut to one line of at most 200 characters.
func serverMessage(body []byte) string {
	// The text looked at: a message of 200 characters, even of 4-byte
	// runes, after whitespace.
	const maxMessageText = 4 << 10
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var msg string
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) == nil {
		var placement []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		if raw, ok := doc["errors"]; ok && json.Unmarshal(raw, &placement) == nil && len(placement) > 0 {
			msg = firstNonEmpty(placement[0].Detail, placement[0].Title)
		} else {
			for _, key := range sortedKeys(doc) {
				var inner struct {
					Message string `json:"message"`
				}
				if json.Unmarshal(doc[key], &inner) == nil && inner.Message != "" {
					msg = inner.Message
					break
				}
			}
		}
	} else if !bytes.HasPrefix(body, []byte("<")) {
		msg = string(body[:min(len(body), maxMessageText)])
	} else {
		msg = htmlTitle(body[:min(len(body), 64<<10)])
	}
	// Only the start is shown: an answer can be 64 MiB, and its whole text as
	// runes four times that.
	if len(msg) > maxMessageText {
		msg = msg[:maxMessageText]
	}
	msg = strings.Join(strings.Fields(msg), " ")
	// Placement prefixes webob's generic sentence to the real detail.
	for _, generic := range []string{
		"The server could not comply with the request since it is either malformed or otherwise incorrect. ",
		"Access was denied to this resource. ",
		"There was a conflict when trying to complete your request. ",
	} {
		msg = strings.TrimPrefix(msg, generic)
	}
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return msg
}

// htmlTitle is the <title> of an HTML error page (a proxy's 502), if any.
// The tags are found in an ASCII-lowered copy of the same length:
// bytes.ToLower would turn invalid UTF-8 into longer U+FFFD runes and move
// the offsets.
func htmlTitle(body []byte) string {
	lower := asciiLower(body)
	start := bytes.Index(lower, []byte("<title>"))
	if start < 0 {
		return ""
	}
	from := start + len("<title>")
	end := bytes.Index(lower[from:], []byte("</title>"))
	if end < 0 {
		return ""
	}
	return string(body[from : from+end])
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// pageURL is the URL of the next page: the list URL of our own endpoint with
// the query of the server's next link. Nova builds its links from its own
// idea of its public URL (osapi_compute_link_prefix), which behind a
// TLS-terminating proxy is often http:// or an internal name, so only the
// link's query (limit, marker and the filters) is taken from it. "" when the
// link is unusable.
func pageURL(listURL, href string) string {
	link, err := url.Parse(href)
	if err != nil || link.RawQuery == "" {
		return ""
	}
	base, _, _ := strings.Cut(listURL, "?")
	return base + "?" + link.RawQuery
}

// markerOf is the marker parameter of a page URL.
func markerOf(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil {
		return ""
	}
	return u.Query().Get("marker")
}
