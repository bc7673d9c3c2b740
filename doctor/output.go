package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/headless-k8s/headless/lint"
)

// WriteJSON writes the report as one JSON object.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as kubectl writes tables: one row per name,
// then the reason for every missing name, then a summary.
func WriteText(w io.Writer, r *Report) error {
	e := lint.EscapeText
	var b strings.Builder
	fmt.Fprintf(&b, "Cluster domain: %s (%s)\n", r.Domain, e(r.DomainSource))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", e(n))
	}
	b.WriteString("\n")
	if len(r.Services) == 0 {
		where := "in any namespace"
		if r.Namespace != "" {
			where = "in namespace " + e(r.Namespace)
		}
		fmt.Fprintf(&b, "No headless Service, and no StatefulSet or Pod naming a Service for per-pod names, %s.\n", where)
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tSERVICE\tPOD\tNAME\tADDRESS\tREADY\tSTATUS")
	for _, s := range r.Services {
		svc := s.Name
		switch {
		case !s.Exists:
			svc += " (missing)"
		case !s.Headless:
			svc += " (not headless)"
		}
		if len(s.Names) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\tno per-pod names\n", e(s.Namespace), e(svc))
		}
		for _, n := range s.Names {
			addr, ready, status := "-", "-", "missing"
			if len(n.Addresses) > 0 {
				addr = strings.Join(n.Addresses, ",")
			}
			if n.Ready != nil {
				ready = fmt.Sprint(*n.Ready)
			}
			if n.Present {
				status = "present"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e(s.Namespace), e(svc), e(n.Pod), e(n.Name), e(addr), ready, status)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var why []string
	for _, s := range r.Services {
		for _, n := range s.Names {
			if n.Present {
				continue
			}
			line := fmt.Sprintf("  %s: %s", e(n.Name), e(n.Reason))
			if n.Rule != "" {
				line += " [" + n.Rule + "]"
			}
			why = append(why, line)
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(&b, "\nMissing names:\n%s\n", strings.Join(why, "\n"))
	}
	if len(r.Problems) > 0 {
		b.WriteString("\nProblems:\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s/%s: %s\n", e(p.Namespace), e(p.Object), e(p.Message))
		}
	}
	fmt.Fprintf(&b, "\n%d of %d promised names present", r.Present, r.Present+r.Missing)
	if r.Missing > 0 {
		fmt.Fprintf(&b, ", %d missing", r.Missing)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "; %d configuration problems", len(r.Problems))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
