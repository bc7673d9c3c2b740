package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
)

// PVC retention policies (--pvc-retention), as the StatefulSet's
// persistentVolumeClaimRetentionPolicy spells them.
const (
	PVCRetain           = "Retain"
	PVCDelete           = "Delete"
	DefaultPVCRetention = PVCRetain
)

// validatePVCRetention accepts retain or delete in any case and stores the
// API's spelling. Delete applies to a StatefulSet's claims only: plain Pods'
// claims are separate objects that nothing deletes.
func validatePVCRetention(m *Model) error {
	switch strings.ToLower(m.PVCRetention) {
	case "retain":
		m.PVCRetention = PVCRetain
	case "delete":
		m.PVCRetention = PVCDelete
		if m.Mode == ModePods {
			return fieldErr(FieldPVCRetention, "delete", "applies to a StatefulSet's claims only; in %s mode the claims are objects of their own (delete them with kubectl)", ModePods)
		}
	default:
		return fieldErr(FieldPVCRetention, m.PVCRetention, "must be retain or delete")
	}
	return nil
}

// Peer is one source of clients the NetworkPolicy admits to the client
// ports: pods with Pods' labels in namespaces with Namespaces' labels. A nil
// map is "any" (no Namespaces: this namespace only).
type Peer struct {
	Pods       map[string]string
	Namespaces map[string]string
}

// peerSyntax is what --allow-from takes.
const peerSyntax = "must be pods:<labels>, namespaces:<labels>, or namespaces:<labels>/pods:<labels>, with labels as key=value[,key=value…], e.g. pods:app=api"

// parsePeers parses --allow-from values.
func parsePeers(values []string) ([]Peer, error) {
	peers := make([]Peer, 0, len(values))
	for _, v := range values {
		var p Peer
		// Label keys may contain "/" but never ":", so "/pods:" can only
		// be the separator.
		parts := []string{v}
		if ns, pods, ok := strings.Cut(v, "/pods:"); ok {
			parts = []string{ns, "pods:" + pods}
		}
		for _, part := range parts {
			kind, sel, ok := strings.Cut(part, ":")
			if !ok {
				return nil, fieldErr(FieldAllowFrom, v, "%s", peerSyntax)
			}
			labels, err := parseSelector(sel)
			if err != nil {
				return nil, fieldErr(FieldAllowFrom, v, "%s", err)
			}
			switch {
			case kind == "pods" && p.Pods == nil:
				p.Pods = labels
			case kind == "namespaces" && p.Namespaces == nil:
				p.Namespaces = labels
			default:
				return nil, fieldErr(FieldAllowFrom, v, "%s", peerSyntax)
			}
		}
		peers = append(peers, p)
	}
	return peers, nil
}

// parseSelector parses key=value[,key=value…] into labels.
func parseSelector(sel string) (map[string]string, error) {
	labels := map[string]string{}
	for _, kv := range strings.Split(sel, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s", peerSyntax)
		}
		if errs := content.IsLabelKey(k); len(errs) > 0 {
			return nil, fmt.Errorf("the label key %q %s", k, strings.Join(errs, "; "))
		}
		if errs := content.IsLabelValue(v); len(errs) > 0 {
			return nil, fmt.Errorf("the label value %q %s", v, strings.Join(errs, "; "))
		}
		labels[k] = v
	}
	return labels, nil
}

// String formats the peer as --allow-from takes it.
func (p Peer) String() string {
	var parts []string
	if p.Namespaces != nil {
		parts = append(parts, "namespaces:"+selectorText(p.Namespaces))
	}
	if p.Pods != nil {
		parts = append(parts, "pods:"+selectorText(p.Pods))
	}
	return strings.Join(parts, "/")
}

func selectorText(labels map[string]string) string {
	keys := slices.Sorted(maps.Keys(labels))
	for i, k := range keys {
		keys[i] = k + "=" + labels[k]
	}
	return strings.Join(keys, ",")
}
