package lint

import (
	"testing"

	"github.com/headless-k8s/headless/bench/corpus"
)

func benchmarkLint(b *testing.B, objects int) {
	files := corpus.Files(objects)
	inputs := make([]Input, len(files))
	for i, f := range files {
		inputs[i] = Input{Name: f.Name, Data: f.Data}
	}
	b.ReportAllocs()
	for b.Loop() {
		objs, errs := Parse(inputs)
		if len(errs) > 0 || len(objs) != objects {
			b.Fatalf("parsed %d objects (want %d), errors %v", len(objs), objects, errs)
		}
		Lint(inputs, objs, Options{})
	}
}

// BenchmarkLint11k and BenchmarkLint110k lint the synthetic corpora of
// bench/corpus; 10x the objects should cost at most 11x the time.
func BenchmarkLint11k(b *testing.B)  { benchmarkLint(b, 11_000) }
func BenchmarkLint110k(b *testing.B) { benchmarkLint(b, 110_000) }
