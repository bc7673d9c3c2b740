package lint

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fieldInfo is one JSON field of a Go struct, embedded (inline) structs
// flattened as encoding/json does.
type fieldInfo struct {
	name  string
	index []int
	typ   reflect.Type
}

// structInfo describes the JSON fields of a struct type.
type structInfo struct {
	fields map[string]*fieldInfo
	names  []string // sorted
	// nested maps a field name found within a few levels below this type
	// to its shortest relative path ("selector.matchLabels"), for "did you
	// mean" when a known field is put at the wrong level.
	nestedOnce sync.Once
	nested     map[string]string
}

var structInfos sync.Map // reflect.Type -> *structInfo

var (
	jsonUnmarshaler   = reflect.TypeFor[json.Unmarshaler]()
	labelSelectorType = reflect.TypeFor[metav1.LabelSelector]()
)

// infoOf returns the (cached) field table of struct type t.
func infoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string]*fieldInfo{}}
	collectFields(t, nil, si)
	for n := range si.fields {
		si.names = append(si.names, n)
	}
	sort.Strings(si.names)
	actual, _ := structInfos.LoadOrStore(t, si)
	return actual.(*structInfo)
}

func collectFields(t reflect.Type, index []int, si *structInfo) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		if f.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, idx, si)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := si.fields[name]; !dup {
			si.fields[name] = &fieldInfo{name: name, index: idx, typ: f.Type}
		}
	}
}

// elemStruct returns the struct type a field holds, through pointers,
// slices and maps, or nil.
func elemStruct(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
				return nil
			}
			return t
		default:
			return nil
		}
	}
}

// nestedFields returns, for struct type t, every field name reachable within
// three levels below t's own fields, mapped to the shortest relative path.
func (si *structInfo) nestedFields(t reflect.Type) map[string]string {
	si.nestedOnce.Do(func() {
		si.nested = map[string]string{}
		type item struct {
			t    reflect.Type
			path string
		}
		queue := []item{}
		for _, n := range si.names {
			if st := elemStruct(si.fields[n].typ); st != nil {
				queue = append(queue, item{st, n + listMark(si.fields[n].typ)})
			}
		}
		for depth := 0; depth < 3 && len(queue) > 0; depth++ {
			var next []item
			for _, it := range queue {
				sub := infoOf(it.t)
				for _, n := range sub.names {
					p := it.path + "." + n
					if _, seen := si.nested[n]; !seen {
						if _, own := si.fields[n]; !own {
							si.nested[n] = p
						}
					}
					if st := elemStruct(sub.fields[n].typ); st != nil {
						next = append(next, item{st, p + listMark(sub.fields[n].typ)})
					}
				}
			}
			queue = next
		}
	})
	return si.nested
}

// listMark is "[]" for a list field, so that suggested paths read
// "spec.ports[].port".
func listMark(t reflect.Type) string {
	if t.Kind() == reflect.Slice {
		return "[]"
	}
	return ""
}

// suggest returns a "did you mean" hint for an unknown key of struct type
// t whose JSON path is path (e.g. "spec"): a known field of another case or
// a small misspelling, a field that belongs a level or two deeper, or a
// field of an enclosing struct (outer, outermost first) put a level or two
// too deep (`serviceName` under `spec.template`).
func suggest(t reflect.Type, path, key string, outer []frame) string {
	si := infoOf(t)
	best, bestDist := "", 3
	for _, n := range si.names {
		if strings.EqualFold(n, key) {
			return joinPath(path, n)
		}
		if d := editDistance(strings.ToLower(n), strings.ToLower(key)); d < bestDist {
			best, bestDist = n, d
		}
	}
	// A one-letter slip ("port" for "ports") is likelier than a misplaced
	// field; a misplaced field likelier than a two-letter slip.
	if best != "" && bestDist == 1 && len(key) > 3 {
		return joinPath(path, best)
	}
	if t == labelSelectorType && bestDist > 2 {
		// `selector: {app: db}` is the Service (and pre-apps/v1) form.
		return joinPath(path, "matchLabels."+key)
	}
	if rel, ok := si.nestedFields(t)[key]; ok {
		return joinPath(path, rel)
	}
	for i := len(outer) - 1; i >= 0; i-- {
		o := infoOf(outer[i].t)
		if _, own := o.fields[key]; own {
			return joinPath(outer[i].path, key)
		}
		if rel, ok := o.nestedFields(outer[i].t)[key]; ok && !strings.HasPrefix(joinPath(outer[i].path, rel), joinPath(path, "")) {
			return joinPath(outer[i].path, rel)
		}
	}
	if best != "" && len(key) > 3 {
		return joinPath(path, best)
	}
	return ""
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
