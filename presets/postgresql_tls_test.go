package presets

import (
	"strings"
	"testing"
)

// TestPostgresqlConnectionTLS: with --tls the connection string asks libpq
// to check the server's certificate and name; without, it is unchanged.
func TestPostgresqlConnectionTLS(t *testing.T) {
	p, err := Get("postgresql")
	if err != nil {
		t.Fatal(err)
	}
	d := ConnectionData{Name: "pg", Hosts: []string{"pg-0.x:5432", "pg-1.x:5432"}, Primary: "pg-0.x:5432", Password: "<password>"}
	plain, err := p.ConnectionString(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgresql://postgres:<password>@pg-0.x:5432,pg-1.x:5432/postgres?target_session_attrs=read-write"; plain != want {
		t.Errorf("without TLS: %s, want %s", plain, want)
	}
	d.TLS = true
	tls, err := p.ConnectionString(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := plain + "&sslmode=verify-full"; tls != want {
		t.Errorf("with TLS: %s, want %s", tls, want)
	}
	if !p.TLS || !strings.Contains(p.Files["pg_hba.conf"], "hostssl") {
		t.Errorf("the postgresql preset does not declare tls: true with hostssl lines")
	}
}
