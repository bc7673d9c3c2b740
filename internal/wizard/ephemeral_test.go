package wizard

import (
	"slices"
	"testing"

	"github.com/headless-k8s/headless/generator"
	"github.com/headless-k8s/headless/internal/prompter"
)

// TestEphemeralQuestion: no storage for more than one replica is accepted
// only with ephemeral; the question is asked right after the storage, and
// only then. Declining asks the storage again.
func TestEphemeralQuestion(t *testing.T) {
	// One replica: no question.
	a := with(mainDefaults(), map[string][]string{MsgReplicas: {"1"}, MsgStorage: {"none"}, MsgDestination: {DestStdout}})
	p := prompter.NewScripted(a)
	res, err := (&Wizard{Prompter: p, Given: generator.Spec{Preset: "redis"}}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(p.Asked, MsgEphemeral) || res.Spec.Ephemeral != nil {
		t.Errorf("one replica without storage asked %q and set ephemeral %v", p.Asked, res.Spec.Ephemeral)
	}

	// Three replicas: asked; declined, the storage is asked again.
	a = with(mainDefaults(), map[string][]string{MsgStorage: {"none", "1Gi"}, MsgEphemeral: {"no"}, MsgDestination: {DestStdout}})
	p = prompter.NewScripted(a)
	res, err = (&Wizard{Prompter: p, Given: generator.Spec{Preset: "redis"}}).Run()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(p.Asked, MsgEphemeral)
	if i < 1 || p.Asked[i-1] != MsgStorage || p.Asked[i+1] != MsgStorage || res.Spec.Storage != "1Gi" || res.Spec.Ephemeral != nil {
		t.Errorf("asked %q; got storage %q, ephemeral %v; want the storage asked again and 1Gi", p.Asked, res.Spec.Storage, res.Spec.Ephemeral)
	}

}
