package cloud

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gpupass/gpupass/openstack/cloudmodel"
)

// addFixtures seeds a fuzz target with the recorded bodies matching a glob
// under testdata (the committed corpus under testdata/fuzz adds the inputs
// fuzzing found).
func addFixtures(f *testing.F, glob string) {
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures %s", glob)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseFlavorPage(f *testing.F) {
	addFixtures(f, "nova/flavors-*.json")
	f.Add([]byte(`{"flavors": [{"id": 7, "swap": "", "ram": 1.5e3, "extra_specs": {"a": 1, "b": true, "c": null}}], "flavors_links": [{"rel": "next", "href": "x?marker=7"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseFlavorPage(body)
		if err != nil {
			return
		}
		if page.withoutSpecs > len(page.flavors) {
			t.Fatalf("%d flavors without specs out of %d", page.withoutSpecs, len(page.flavors))
		}
		if _, err := json.Marshal(page.flavors); err != nil {
			t.Fatalf("flavors do not marshal: %v", err)
		}
		_ = pageURL("https://cloud.example.com/v2.1/flavors/detail?limit=1000", page.next)
	})
}

func FuzzParseHypervisorPage(f *testing.F) {
	addFixtures(f, "nova/hypervisors-*.json")
	f.Add([]byte(`{"hypervisors": [{"id": null, "vcpus": "8", "service": null, "hypervisor_version": null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseHypervisorPage(body)
		if err != nil {
			return
		}
		if _, err := json.Marshal(page.hypervisors); err != nil {
			t.Fatalf("hypervisors do not marshal: %v", err)
		}
	})
}

func FuzzParseVersions(f *testing.F) {
	for _, glob := range []string{"nova/version*.json", "placement/versions.json", "keystone/versions.json"} {
		files, _ := filepath.Glob(filepath.Join("testdata", glob))
		for _, file := range files {
			data, _ := os.ReadFile(file)
			f.Add(data, "v2.1")
		}
	}
	f.Add([]byte(`{"version": {"id": "v1.0", "max_version": "1.-1"}}`), "v1.0")
	f.Fuzz(func(t *testing.T, body []byte, id string) {
		maxVersion, err := parseVersions(body, id)
		if err != nil || maxVersion == "" {
			return
		}
		if _, _, err := parseMicroversion(maxVersion); err != nil {
			t.Fatalf("parseVersions returned %q: %v", maxVersion, err)
		}
		// What it returns can be compared.
		_ = minMicroversion("2.61", maxVersion)
		_ = atLeast(maxVersion, "2.61")
	})
}

// FuzzParsePlacement feeds one body to every placement decoder.
func FuzzParsePlacement(f *testing.F) {
	addFixtures(f, "placement/*.json")
	f.Add([]byte(`{"inventories": {"VCPU": {"total": "64", "allocation_ratio": null}}, "usages": {"VCPU": 1e3}, "traits": [1, "A"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if providers, err := parseProviders(body); err == nil {
			for _, rp := range providers {
				if rp.RootUUID == "" && rp.UUID != "" {
					t.Fatalf("provider %+v without a root", rp)
				}
			}
		}
		inventories, invErr := parseInventories(body)
		usages, useErr := parseUsages(body)
		if invErr == nil && useErr == nil {
			rp := cloudmodel.ResourceProvider{Inventories: inventories, Usages: usages}
			for class := range inventories {
				if _, ok := rp.Free(class); !ok {
					t.Fatalf("Free(%s) unknown with an inventory", class)
				}
			}
		}
		if traits, err := parseTraits(body); err == nil {
			for i := 1; i < len(traits); i++ {
				if traits[i-1] > traits[i] {
					t.Fatalf("traits not sorted: %q", traits)
				}
			}
		}
	})
}

func FuzzServerMessage(f *testing.F) {
	addFixtures(f, "*/error-*.json")
	f.Add([]byte("<html><title>502 Bad Gateway</title>"))
	f.Add([]byte(`{"errors": [{"title": "Conflict", "detail": "There was a conflict when trying to complete your request.\n\n x "}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := serverMessage(body)
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("message on several lines: %q", msg)
		}
		if utf8.ValidString(msg) && utf8.RuneCountInString(msg) > 201 {
			t.Fatalf("message of %d runes", utf8.RuneCountInString(msg))
		}
	})
}

// FuzzRedactURL: whatever the text, what redactURL leaves has no userinfo
// a URL parser would find, and clip keeps valid text valid and short.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"http://u:pw@host:5000/v3", "http://u:p w@host/v3?x=1", "https://u:p%zz@host/", "http://a@b@host:1/p@q",
		"http://[::1]:5000/v3?marker=u:pw@x", "http://u:pw@[::1", "ftp://u:pw@h", "://@", "http://\x00:pw@host/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := redactURL(raw)
		if u, err := url.Parse(out); err == nil && u.User != nil {
			t.Fatalf("redactURL(%q) = %q keeps the userinfo %q", raw, out, u.User)
		}
		short := clip(out)
		if len(short) > maxQuoted+len("…") || (utf8.ValidString(out) && !utf8.ValidString(short)) {
			t.Fatalf("clip(%q) = %q", out, short)
		}
	})
}

// FuzzPager: however a server words its next-page links and sizes its
// pages, a list ends within maxPages pages.
func FuzzPager(f *testing.F) {
	f.Add(uint16(1000), "a\nb\nc", false)
	f.Add(uint16(1), "x", true)
	f.Add(uint16(0), "", true)
	f.Add(uint16(7), "?marker=\n&marker=a\nmarker=b#c\n%zz", true)
	f.Fuzz(func(t *testing.T, first uint16, links string, fresh bool) {
		hrefs := strings.Split(links, "\n")
		var p pager
		u := "https://nova.example.com/v2.1/flavors/detail?limit=1000"
		for i := 0; ; i++ {
			if i > maxPages {
				t.Fatalf("the list goes on after %d pages", i)
			}
			n := int(first)
			if i > 0 {
				n = 1 + i%3000
			}
			href := "http://nova/v2.1/flavors/detail?marker=" + url.QueryEscape(hrefs[i%len(hrefs)])
			if fresh {
				href += strconv.Itoa(i)
			}
			next, err := p.next(u, n, href)
			if err != nil || next == "" {
				if p.items > maxListed+3000 {
					t.Fatalf("%d items read", p.items)
				}
				return
			}
			if next == u {
				t.Fatalf("the next page is the same URL %q", u)
			}
			u = next
		}
	})
}
