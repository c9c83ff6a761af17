package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const dashboardPath = "grafana/gpupass-dashboard.json"

// The parts of Grafana's dashboard model (schemaVersion 39, Grafana 10 and
// later) the test checks; the file holds more (options, field config).
type dashboard struct {
	UID           *string `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      json.RawMessage `json:"query"`
			Datasource *datasourceRef  `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
	Panels []dashboardPanel `json:"panels"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type dashboardPanel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Datasource  *datasourceRef `json:"datasource"`
	GridPos     *struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID        string         `json:"refId"`
		Expr         string         `json:"expr"`
		LegendFormat string         `json:"legendFormat"`
		Datasource   *datasourceRef `json:"datasource"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"` // a collapsed row's
}

func loadDashboard(t *testing.T) (dashboard, []dashboardPanel) {
	t.Helper()
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardPath, err)
	}
	var all []dashboardPanel
	for _, p := range d.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	return d, all
}

// The panel types the dashboard may use: Grafana's own, no plugin to
// install.
var builtinPanels = map[string]bool{"row": true, "stat": true, "timeseries": true, "bargauge": true, "piechart": true, "table": true, "gauge": true, "text": true}

// TestDashboardModel: the file is a dashboard Grafana imports as it is — a
// uid and title, a schema version, a Prometheus data source variable that
// every query goes through, panels with unique ids, a place on the
// 24-column grid that no other panel takes, and queries with unique refIds.
func TestDashboardModel(t *testing.T) {
	d, panels := loadDashboard(t)
	if d.UID == nil || !regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`).MatchString(*d.UID) {
		t.Errorf("uid %v: want 1 to 40 letters, digits, - or _ (a stable link)", d.UID)
	}
	if d.Title == "" {
		t.Error("no title")
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want 36 or later (data sources referenced by uid)", d.SchemaVersion)
	}
	const dsVar = "${datasource}"
	var haveDS bool
	for _, v := range d.Templating.List {
		if v.Name == "datasource" && v.Type == "datasource" && string(v.Query) == `"prometheus"` {
			haveDS = true
		}
		if v.Type == "query" && (v.Datasource == nil || v.Datasource.UID != dsVar) {
			t.Errorf("variable %s: datasource %v, want uid %s", v.Name, v.Datasource, dsVar)
		}
	}
	if !haveDS {
		t.Errorf("no template variable named datasource of type datasource for prometheus")
	}
	if len(panels) < 10 {
		t.Fatalf("%d panels", len(panels))
	}
	ids := map[int]string{}
	var cells = map[[2]int]string{}
	for _, p := range panels {
		if p.Title == "" {
			t.Errorf("panel %d: no title", p.ID)
		}
		if p.ID <= 0 || ids[p.ID] != "" {
			t.Errorf("panel %q: id %d is not a unique positive number (also %q)", p.Title, p.ID, ids[p.ID])
		}
		ids[p.ID] = p.Title
		if !builtinPanels[p.Type] {
			t.Errorf("panel %q: type %q is not one of Grafana's own", p.Title, p.Type)
		}
		g := p.GridPos
		if g == nil || g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v: want h, w > 0 within 24 columns", p.Title, g)
			continue
		}
	place:
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				if other := cells[[2]int{x, y}]; other != "" {
					t.Errorf("panel %q overlaps %q at column %d row %d", p.Title, other, x, y)
					break place
				}
				cells[[2]int{x, y}] = p.Title
			}
		}
		if p.Type == "row" {
			continue
		}
		if p.Description == "" {
			t.Errorf("panel %q: no description (what the panel answers)", p.Title)
		}
		if p.Datasource == nil || p.Datasource.UID != dsVar || p.Datasource.Type != "prometheus" {
			t.Errorf("panel %q: datasource %+v, want prometheus %s", p.Title, p.Datasource, dsVar)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q: no query", p.Title)
		}
		refs := map[string]bool{}
		for _, q := range p.Targets {
			if q.RefID == "" || refs[q.RefID] || strings.TrimSpace(q.Expr) == "" {
				t.Errorf("panel %q: query %q refId %q: want an expression and a unique refId", p.Title, q.Expr, q.RefID)
			}
			refs[q.RefID] = true
			if q.Datasource != nil && q.Datasource.UID != dsVar {
				t.Errorf("panel %q: query %s uses data source %+v, not %s", p.Title, q.RefID, q.Datasource, dsVar)
			}
		}
	}
}

// dashboardQueries are every PromQL expression of the dashboard, named by
// where they are: the panels' queries and the query variables'.
func dashboardQueries(t *testing.T) map[string]string {
	t.Helper()
	d, panels := loadDashboard(t)
	out := map[string]string{}
	for _, p := range panels {
		for _, q := range p.Targets {
			out[fmt.Sprintf("panel %q query %s", p.Title, q.RefID)] = q.Expr
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil || q.Query == "" {
			t.Errorf("variable %s: query %s: want {\"query\": PROMQL}", v.Name, v.Query)
			continue
		}
		m := regexp.MustCompile(`^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`).FindStringSubmatch(q.Query)
		if m == nil {
			t.Errorf("variable %s: %q: want label_values(SELECTOR, LABEL)", v.Name, q.Query)
			continue
		}
		out["variable "+v.Name] = fmt.Sprintf("count by (%s) (%s)", m[2], m[1])
	}
	return out
}

// TestDashboardMatchesTheMetrics: every query reads only metrics gpupass
// writes, matches, groups and labels its legend by labels those metrics
// carry (or the scrape adds), and the staleness threshold is the
// GpupassStale alert's.
func TestDashboardMatchesTheMetrics(t *testing.T) {
	families := writtenFamilies(t)
	metric := regexp.MustCompile(`\b(gpupass_[a-z_]+)\b(\{[^}]*\})?`)
	anyMetric := regexp.MustCompile(`\b([a-z_:]+)\s*\{`)
	matcher := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"`)
	grouping := regexp.MustCompile(`\b(?:by|on|without|ignoring)\s*\(([^)]*)\)`)
	legend := regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)
	threshold, _ := staleAlert(t)
	_, panels := loadDashboard(t)
	legends := map[string]string{}
	for _, p := range panels {
		for _, q := range p.Targets {
			legends[fmt.Sprintf("panel %q query %s", p.Title, q.RefID)] = q.LegendFormat
		}
	}
	var used = map[string]bool{}
	for where, expr := range dashboardQueries(t) {
		known := map[string]bool{}
		for l := range scrapeLabels {
			known[l] = true
		}
		found := metric.FindAllStringSubmatch(expr, -1)
		if len(found) == 0 {
			t.Errorf("%s: %q reads no gpupass metric", where, expr)
		}
		for _, m := range anyMetric.FindAllStringSubmatch(expr, -1) {
			if !strings.HasPrefix(m[1], "gpupass_") {
				t.Errorf("%s: reads %s, which gpupass does not write", where, m[1])
			}
		}
		for _, m := range found {
			labels, ok := families[m[1]]
			if !ok {
				t.Errorf("%s: gpupass writes no metric %s", where, m[1])
				continue
			}
			used[m[1]] = true
			for l := range labels {
				known[l] = true
			}
			for _, mm := range matcher.FindAllStringSubmatch(m[2], -1) {
				if !labels[mm[1]] && !scrapeLabels[mm[1]] {
					t.Errorf("%s: %s has no label %s", where, m[1], mm[1])
				}
			}
		}
		for _, gr := range grouping.FindAllStringSubmatch(expr, -1) {
			for _, l := range strings.Split(gr[1], ",") {
				if l = strings.TrimSpace(l); l != "" && !known[l] {
					t.Errorf("%s: groups or matches on %s, which its metrics lack", where, l)
				}
			}
		}
		for _, ref := range legend.FindAllStringSubmatch(legends[where], -1) {
			if !known[ref[1]] {
				t.Errorf("%s: the legend uses {{%s}}, which its metrics lack", where, ref[1])
			}
		}
		if strings.Contains(expr, "gpupass_last_run_timestamp_seconds") && strings.Contains(expr, ">") {
			m := regexp.MustCompile(`>\s*([0-9]+)\s*\)?\s*(?:or\b|$)`).FindStringSubmatch(expr)
			if m == nil || m[1] != fmt.Sprint(int(threshold/time.Second)) {
				t.Errorf("%s: %q: want the staleness threshold of GpupassStale, > %d", where, expr, int(threshold/time.Second))
			}
		}
	}
	// The panels the dashboard is for.
	for _, name := range []string{"gpupass_check_status", "gpupass_findings", "gpupass_gpu_info", "gpupass_last_run_timestamp_seconds", "gpupass_flavor_more_instances", "gpupass_flavor_bootable"} {
		if !used[name] {
			t.Errorf("no panel reads %s", name)
		}
	}
}

// TestDashboardDescribed: deploy/README.md says what each panel answers.
func TestDashboardDescribed(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, panels := loadDashboard(t)
	for _, p := range panels {
		if p.Type != "row" && !strings.Contains(string(readme), "**"+p.Title+"**") {
			t.Errorf("deploy/README.md does not describe the panel %q (as **%s**)", p.Title, p.Title)
		}
	}
}

// TestPromtoolDashboardQueries has promtool parse every query of the
// dashboard, as recording rules ($instance as Grafana's "All", .*).
func TestPromtoolDashboardQueries(t *testing.T) {
	pt := promtool(t)
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	n := 0
	for where, expr := range dashboardQueries(t) {
		n++
		expr = strings.ReplaceAll(expr, "$instance", ".*")
		q, _ := json.Marshal(expr)
		c, _ := json.Marshal(where)
		fmt.Fprintf(&b, "      # %s\n      - record: dashboard:query_%d\n        expr: %s\n", strings.Trim(string(c), `"`), n, q)
	}
	file := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pt, "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules on the dashboard's queries: %v\n%s\n%s", err, out, b.String())
	}
}
