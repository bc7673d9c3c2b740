package presets

import (
	"slices"
	"strings"
	"testing"

	_ "github.com/headless-k8s/headless/internal/testutil" // accepts -update
)

func TestAllMatchesNames(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range all {
		names = append(names, p.Name)
		got, err := Get(p.Name)
		if err != nil || got != p {
			t.Errorf("Get(%q) = %p, %v; want the preset All returned", p.Name, got, err)
		}
		if _, err := p.ConnectionString(ConnectionData{Name: "db", Hosts: []string{"db-0.x:1", "db-1.x:1"}, Primary: "db-0.x:1"}); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
	if want := Names(); !slices.Equal(names, want) || len(want) < 3 {
		t.Errorf("All() names %v, Names() %v", names, want)
	}
}

func TestGetUnknown(t *testing.T) {
	if _, err := Get("mysql"); err == nil || !strings.Contains(err.Error(), "must be one of mongodb, postgresql, redis") {
		t.Errorf("Get(mysql) error = %v", err)
	}
}
