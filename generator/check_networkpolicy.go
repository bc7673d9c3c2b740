package generator

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/headless-k8s/headless/dns"
	"github.com/headless-k8s/headless/presets"
)

// checkNetworkPolicy proves what the NetworkPolicy promises: it applies to
// every pod; members may reach each other on every port in both directions
// (so every peer port a configuration uses is open between them); the
// declared clients — or, without --allow-from, every pod of the namespace —
// reach every client port (and every port clients reach by the pods' names,
// presets.Port.Clients); the pods may send DNS queries; and no rule lets
// anyone but members reach any other port.
func checkNetworkPolicy(m *Model, np *networkingv1.NetworkPolicy, pods []*dns.Pod, fail func(string, ...any)) {
	for _, p := range pods {
		if !selects(np.Spec.PodSelector.MatchLabels, p.Labels) || len(np.Spec.PodSelector.MatchExpressions) > 0 {
			fail("NetworkPolicy %s does not apply to pod %s", np.Name, p.Name)
		}
	}
	types := map[networkingv1.PolicyType]bool{}
	for _, t := range np.Spec.PolicyTypes {
		types[t] = true
	}
	if !types[networkingv1.PolicyTypeIngress] || !types[networkingv1.PolicyTypeEgress] {
		fail("NetworkPolicy %s does not restrict both ingress and egress", np.Name)
	}
	member := m.Labels()
	isMember := func(peer networkingv1.NetworkPolicyPeer) bool {
		return peer.NamespaceSelector == nil && peer.IPBlock == nil && peer.PodSelector != nil &&
			len(peer.PodSelector.MatchExpressions) == 0 && selects(peer.PodSelector.MatchLabels, member)
	}
	for _, port := range m.Ports {
		if !anyIngress(np, port, isMember) {
			fail("NetworkPolicy %s does not let members reach each other on port %s (%d)", np.Name, port.Name, port.Port)
		}
		if !anyEgress(np, port, isMember) {
			fail("NetworkPolicy %s does not let members connect to each other on port %s (%d)", np.Name, port.Name, port.Port)
		}
	}
	dnsPort := presets.Port{Name: "dns", Port: 53, Protocol: string(corev1.ProtocolUDP)}
	if !anyEgress(np, dnsPort, func(networkingv1.NetworkPolicyPeer) bool { return false }) {
		fail("NetworkPolicy %s does not let the pods query DNS (port 53/UDP)", np.Name)
	}
	clients := []Peer{{Pods: map[string]string{}}} // every pod of the namespace
	if len(m.AllowFrom) > 0 {
		clients = m.AllowFrom
	}
	for _, c := range clients {
		want := c.policyPeer()
		for _, port := range m.ClientAccessPorts() {
			if !anyIngress(np, port, func(peer networkingv1.NetworkPolicyPeer) bool { return equalPeer(peer, want) }) {
				fail("NetworkPolicy %s does not let clients %s reach port %s (%d)", np.Name, c, port.Name, port.Port)
			}
		}
	}
	clientPort := map[int32]bool{}
	for _, p := range m.ClientAccessPorts() {
		clientPort[p.Port] = true
	}
	for i, rule := range np.Spec.Ingress {
		if len(rule.From) == 0 {
			fail("NetworkPolicy %s ingress rule %d admits every source", np.Name, i)
		}
		for _, peer := range rule.From {
			if isMember(peer) {
				continue
			}
			if len(rule.Ports) == 0 {
				fail("NetworkPolicy %s ingress rule %d admits non-members on every port", np.Name, i)
			}
			for _, p := range rule.Ports {
				if p.Port == nil || !clientPort[p.Port.IntVal] {
					fail("NetworkPolicy %s ingress rule %d admits non-members on a port that is not a client port", np.Name, i)
				}
			}
		}
	}
}

// policyPeer is the NetworkPolicy peer of a client Peer.
func (p Peer) policyPeer() networkingv1.NetworkPolicyPeer {
	var peer networkingv1.NetworkPolicyPeer
	if p.Pods != nil {
		peer.PodSelector = &metav1.LabelSelector{MatchLabels: p.Pods}
	}
	if p.Namespaces != nil {
		peer.NamespaceSelector = &metav1.LabelSelector{MatchLabels: p.Namespaces}
	}
	return peer
}

func equalPeer(a, b networkingv1.NetworkPolicyPeer) bool {
	eq := func(x, y *metav1.LabelSelector) bool {
		if x == nil || y == nil {
			return x == y
		}
		return len(x.MatchExpressions) == 0 && len(y.MatchExpressions) == 0 && maps.Equal(x.MatchLabels, y.MatchLabels)
	}
	return a.IPBlock == nil && b.IPBlock == nil && eq(a.PodSelector, b.PodSelector) && eq(a.NamespaceSelector, b.NamespaceSelector)
}

// portAllowed reports whether a rule's ports admit port (no ports: all).
func portAllowed(ports []networkingv1.NetworkPolicyPort, port presets.Port) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		proto := corev1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		if proto != dns.Protocol(corev1.Protocol(port.Protocol)) {
			continue
		}
		if p.Port == nil || p.Port.IntVal == port.Port || p.Port.StrVal == port.Name {
			return true
		}
	}
	return false
}

// anyIngress reports whether an ingress rule admits a peer accepted by ok
// (or every source) on port.
func anyIngress(np *networkingv1.NetworkPolicy, port presets.Port, ok func(networkingv1.NetworkPolicyPeer) bool) bool {
	for _, rule := range np.Spec.Ingress {
		if portAllowed(rule.Ports, port) && anyPeer(rule.From, ok) {
			return true
		}
	}
	return false
}

// anyEgress reports whether an egress rule lets the pods reach a peer
// accepted by ok (or any destination) on port.
func anyEgress(np *networkingv1.NetworkPolicy, port presets.Port, ok func(networkingv1.NetworkPolicyPeer) bool) bool {
	for _, rule := range np.Spec.Egress {
		if portAllowed(rule.Ports, port) && anyPeer(rule.To, ok) {
			return true
		}
	}
	return false
}

// anyPeer: no peers means every source or destination.
func anyPeer(peers []networkingv1.NetworkPolicyPeer, ok func(networkingv1.NetworkPolicyPeer) bool) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		if ok(p) {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
